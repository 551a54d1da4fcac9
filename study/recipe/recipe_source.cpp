// Recipe files, includes and the merged settings list (see recipe_source.h).
#include "study/recipe/recipe_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

#include "study/recipe/recipe_values.h"

namespace mose::study::recipe {
namespace {

namespace fs = std::filesystem;

void flatten_into(const toml::table& table, std::vector<std::string>& path, std::vector<Where>& where,
                  std::vector<Setting>& out) {
  for (auto&& [key, value] : table) {
    const std::size_t depth = path.size();
    const std::string_view text = key.str();
    for (std::size_t start = 0, dot = 0; dot != std::string_view::npos; start = dot + 1) {
      dot = text.find('.', start);
      path.emplace_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
      where.push_back(where_of(key.source()));
    }
    const toml::table* nested = value.as_table();
    if (nested != nullptr && !nested->empty()) {
      flatten_into(*nested, path, where, out);
    } else {
      std::string joined;
      for (const std::string& segment : path) joined += (joined.empty() ? "" : ".") + segment;
      out.push_back(Setting{path, std::move(joined), &value, where.back(), where});
    }
    path.resize(depth);
    where.resize(depth);
  }
}

// TOML refuses a key written twice in one spelling; a quoted "a.b", a bare a.b and a
// key b under [a] are different TOML keys for the same setting, and merging would keep
// one value silently. `settings` are one table's leaves in file order.
void check_written_once(const std::vector<Setting>& settings, std::string_view shown) {
  std::unordered_map<std::string_view, const Setting*> first;
  for (const Setting& s : settings) {
    const auto [it, fresh] = first.emplace(s.key, &s);
    if (fresh) continue;
    throw recipe_error(s.where, std::string(shown) + s.key,
                       fmt::format("written twice (also at {})", it->second->where.text()),
                       "each setting once per file (\"a.b\" = ..., a.b = ... and [a] b = ... are the same setting)");
  }
}

// Later settings replace earlier ones with the same key in place; new keys go last.
void merge_into(std::vector<Setting>& base, std::vector<Setting> overrides) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < base.size(); ++i) index[base[i].key] = i;
  for (Setting& setting : overrides) {
    const auto it = index.find(setting.key);
    if (it != index.end()) {
      base[it->second] = std::move(setting);
    } else {
      index[setting.key] = base.size();
      base.push_back(std::move(setting));
    }
  }
}

class Loader {
 public:
  explicit Loader(RecipeSource& out) : out_(out) {}

  // `shown` is the path as messages print it; `included_at` is the include's position
  // (null for the recipe itself).
  std::vector<Setting> load(const fs::path& shown, const Where* included_at) {
    std::error_code ignored;
    const fs::path identity = fs::weakly_canonical(shown, ignored);
    check_no_cycle(shown, identity, included_at);
    // A file reached again along another path (a diamond) was merged the first time; a
    // second merge would undo the overrides made since.
    if (!loaded_.insert(identity).second) return {};
    const toml::table& document = parse(shown, read(shown, included_at));
    if (std::find(out_.files.begin(), out_.files.end(), shown) == out_.files.end()) out_.files.push_back(shown);

    stack_.emplace_back(identity, shown.string());
    std::vector<Setting> merged;
    if (const toml::node* includes = document.get("include")) {
      for (const auto& [path, where] : include_paths(*includes, shown)) merge_into(merged, load(path, &where));
    }
    std::vector<Setting> own = flatten(document);
    std::erase_if(own, [](const Setting& s) { return s.path.front() == "include"; });
    merge_into(merged, std::move(own));
    stack_.pop_back();
    return merged;
  }

 private:
  void check_no_cycle(const fs::path& shown, const fs::path& identity, const Where* included_at) const {
    const auto hit =
        std::find_if(stack_.begin(), stack_.end(), [&](const auto& entry) { return entry.first == identity; });
    if (hit == stack_.end()) return;
    std::string chain;
    for (auto it = hit; it != stack_.end(); ++it) chain += it->second + " -> ";
    chain += shown.string();
    throw recipe_error(*included_at, "include", "include cycle " + chain, "includes that form no cycle");
  }

  static std::string read(const fs::path& shown, const Where* included_at) {
    std::error_code error;
    const bool exists = fs::is_regular_file(shown, error);
    std::ifstream file(shown, std::ios::binary);
    if (!exists || !file) {
      const std::string problem = fmt::format("cannot read '{}' ({})", shown.string(),
                                              fs::exists(shown, error) ? "not a readable file" : "no such file");
      if (included_at == nullptr) throw recipe_error(Where{shown.string()}, "recipe", problem, "a readable TOML file");
      throw recipe_error(*included_at, "include", problem,
                         "an existing recipe file (a path relative to the including file)");
    }
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }

  const toml::table& parse(const fs::path& shown, const std::string& text) {
    try {
      out_.documents.push_back(std::make_unique<toml::table>(toml::parse(text, shown.string())));
    } catch (const toml::parse_error& error) {
      throw recipe_error(where_of(error.source()), "TOML syntax", error.description(), "valid TOML (toml.io v1.0)");
    }
    return *out_.documents.back();
  }

  static std::vector<std::pair<fs::path, Where>> include_paths(const toml::node& includes, const fs::path& shown) {
    constexpr std::string_view kExpected = "an array of recipe file paths, relative to this file";
    const toml::array* array = includes.as_array();
    if (array == nullptr) {
      throw recipe_error(where_of(includes.source()), "include", "got " + describe_node(includes), kExpected);
    }
    std::vector<std::pair<fs::path, Where>> paths;
    for (const toml::node& item : *array) {
      const fs::path written = read_string(item, "include", kExpected);
      const fs::path resolved = written.is_absolute() ? written : shown.parent_path() / written;
      paths.emplace_back(resolved.lexically_normal(), where_of(item.source()));
    }
    return paths;
  }

  RecipeSource& out_;
  std::vector<std::pair<fs::path, std::string>> stack_;  // files being loaded: identity, shown
  std::set<fs::path> loaded_;                            // identities of every file merged
};

}  // namespace

std::vector<Setting> flatten(const toml::table& table, const std::vector<std::string>& prefix, std::string_view shown) {
  std::vector<Setting> out;
  std::vector<std::string> path = prefix;
  std::vector<Where> where(prefix.size(), where_of(table.source()));
  flatten_into(table, path, where, out);
  std::stable_sort(out.begin(), out.end(), [](const Setting& a, const Setting& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  check_written_once(out, shown);
  return out;
}

RecipeSource load_recipe_source(const std::filesystem::path& path) {
  RecipeSource source;
  source.settings = Loader(source).load(path, nullptr);
  return source;
}

}  // namespace mose::study::recipe
