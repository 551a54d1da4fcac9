#include "recent_studies.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "base/atomic_file.h"

namespace mose::app::gui::view_model {

std::filesystem::path recent_studies_file() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::filesystem::path(xdg) / "mose" / "recent-studies";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".config" / "mose" / "recent-studies";
}

std::vector<std::string> read_recent_studies(const std::filesystem::path& file) {
  std::vector<std::string> list;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) list.push_back(line);
  }
  return list;
}

std::vector<std::string> with_recent(std::vector<std::string> list, const std::string& url, std::size_t keep) {
  list.erase(std::remove(list.begin(), list.end(), url), list.end());
  list.insert(list.begin(), url);
  if (list.size() > keep) list.resize(keep);
  return list;
}

void write_recent_studies(const std::filesystem::path& file, const std::vector<std::string>& list) {
  std::filesystem::create_directories(file.parent_path());
  std::string text;
  for (const std::string& url : list) text += url + "\n";
  write_private_file_atomically(file, text);
}

}  // namespace mose::app::gui::view_model
