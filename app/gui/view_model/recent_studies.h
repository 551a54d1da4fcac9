// The "recent studies" list: store URLs opened before, most recent first, one per line
// in $XDG_CONFIG_HOME/mose/recent-studies (default ~/.config/mose/recent-studies).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace mose::app::gui::view_model {

std::filesystem::path recent_studies_file();

// The list in `file`; empty when the file is absent or unreadable (it is a convenience).
std::vector<std::string> read_recent_studies(const std::filesystem::path& file);

// `url` moved (or added) to the front, the list cut to `keep` entries.
std::vector<std::string> with_recent(std::vector<std::string> list, const std::string& url, std::size_t keep = 12);

// Atomic write, readable by the user only (a PostgreSQL URL may hold its password);
// throws IoError naming the file.
void write_recent_studies(const std::filesystem::path& file, const std::vector<std::string>& list);

}  // namespace mose::app::gui::view_model
