// A registry of named entries, one per extension point and layer: routing regimes, width
// samplers, width policies and model families each have a torch-free registry of
// descriptors (core/spec/) and a torch registry of implementations keyed by the same
// names (core/model, core/train, core/policy). Entries register themselves from their
// own files during static initialisation (Registration below), so adding one touches
// no central list; tests check that the two layers name the same set.
//
// Entries are kept sorted by name: lists in messages and docs do not depend on link
// order. A registration after the first lookup is a programming error (the settings
// table and any list already shown would not include it) and throws std::logic_error,
// and so does an entry whose check() (when its type has one) finds a required callback
// missing: a forgotten callback fails at start-up, not deep inside a run.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/errors.h"

namespace mose::core::spec {

template <typename Entry>
class Registry {
 public:
  // what: "routing regime"; key: the setting naming an entry ("model.router.type").
  Registry(std::string what, std::string key) : what_(std::move(what)), key_(std::move(key)) {}

  void add(Entry entry) {
    if constexpr (requires { entry.check(); }) entry.check();
    if (used_.load(std::memory_order_relaxed)) {
      throw std::logic_error(
          fmt::format("{} '{}' registered after the {} registry was first read", what_, entry.name, what_));
    }
    if (find_unmarked(entry.name) != nullptr) {
      throw std::logic_error(fmt::format("{} '{}' registered twice", what_, entry.name));
    }
    auto at = std::lower_bound(entries_.begin(), entries_.end(), entry.name,
                               [](const Entry& e, const std::string& name) { return e.name < name; });
    entries_.insert(at, std::move(entry));
  }

  // nullptr when no entry has that name.
  const Entry* find(std::string_view name) const {
    used_.store(true, std::memory_order_relaxed);
    return find_unmarked(name);
  }

  // ConfigError "<key> = '<name>': unknown <what>; known: a, b" when absent.
  const Entry& at(std::string_view name) const {
    if (const Entry* entry = find(name)) return *entry;
    throw ConfigError(fmt::format("{} = '{}': unknown {}; known: {}", key_, name, what_, fmt::join(names(), ", ")));
  }

  const std::vector<Entry>& entries() const {
    used_.store(true, std::memory_order_relaxed);
    return entries_;
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Entry& e : entries()) out.push_back(e.name);
    return out;
  }

  const std::string& what() const { return what_; }
  const std::string& key() const { return key_; }

 private:
  const Entry* find_unmarked(std::string_view name) const {
    for (const Entry& e : entries_) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  std::string what_, key_;
  std::vector<Entry> entries_;
  mutable std::atomic<bool> used_{false};
};

// std::logic_error "<what> '<name>' has no <callback>" unless `present`: for check().
inline void require_callback(bool present, const char* what, const std::string& name, const char* callback) {
  if (!present) throw std::logic_error(fmt::format("{} '{}' has no {}", what, name, callback));
}

// Registers `entry` in `registry` when constructed: define one per extension file, at
// namespace scope in an unnamed namespace, e.g.
//   const Registration<RouterRegime> kDeepseek(router_regimes(), deepseek_regime());
template <typename Entry>
struct Registration {
  Registration(Registry<Entry>& registry, Entry entry) { registry.add(std::move(entry)); }
};

}  // namespace mose::core::spec
