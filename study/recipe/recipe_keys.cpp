// A config's canonical JSON from the settings table (see recipe_keys.h).
#include "study/recipe/recipe_keys.h"

#include <string_view>

namespace mose::study::recipe {
namespace {

// Sets root["a"]["b"]["c"] for dotted "a.b.c", creating the objects on the way.
void insert_nested(Json& root, std::string_view dotted, Json value) {
  Json* object = &root;
  std::size_t start = 0;
  for (std::size_t dot = dotted.find('.'); dot != std::string_view::npos; dot = dotted.find('.', start)) {
    object = &(*object)[std::string(dotted.substr(start, dot - start))];
    start = dot + 1;
  }
  (*object)[std::string(dotted.substr(start))] = std::move(value);
}

}  // namespace

Json identity_json(const core::spec::RunConfig& config, core::spec::SettingRole role) {
  Json root = Json::object();
  for (const core::spec::Setting* setting : core::spec::identity_settings(config)) {
    if (setting->role == role) insert_nested(root, setting->key, to_json(setting->get(config)));
  }
  return root;
}

Json legacy_config_json(const core::spec::RunConfig& config) {
  Json root = Json::object();
  for (const core::spec::Setting* setting : core::spec::identity_settings(config)) {
    insert_nested(root, setting->key, to_json(setting->get(config)));
  }
  return root;
}

std::string value_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : to_canonical_json(value);
}

}  // namespace mose::study::recipe
