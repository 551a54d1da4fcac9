// Counts the ATen operators a scope calls, through a global RecordFunction observer: a
// device-independent proxy for the kernel launches a training step makes, so that launch
// overhead regressions (which dominate a small model on a GPU) show on a CPU too. Only
// leaf calls are counted (those that call no other operator): a composite such as
// aten::linear counts as the aten::mm it runs, not as both. Leaves that only make views
// or allocate (aten::view, aten::as_strided, aten::empty...) launch nothing and are not
// counted. One counter at a time.
#pragma once

#include <ATen/record_function.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mose::bench {

class OpCounter {
 public:
  OpCounter() {
    counts().clear();
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(&on_start, &on_end)
            .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
  }
  ~OpCounter() { stop(); }
  OpCounter(const OpCounter&) = delete;
  OpCounter& operator=(const OpCounter&) = delete;

  void stop() {
    if (handle_ != 0) at::removeCallback(handle_);
    handle_ = 0;
  }

  int64_t total() const {
    std::lock_guard lock(mutex());
    int64_t sum = 0;
    for (const auto& [name, n] : counts()) sum += n;
    return sum;
  }

  // The `n` most frequent leaf operators, most frequent first.
  std::vector<std::pair<std::string, int64_t>> most_frequent(size_t n) const {
    std::lock_guard lock(mutex());
    std::vector<std::pair<std::string, int64_t>> sorted(counts().begin(), counts().end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (sorted.size() > n) sorted.resize(n);
    return sorted;
  }

 private:
  // Per thread, whether each open call has called another operator yet.
  static std::vector<bool>& open_calls() {
    thread_local std::vector<bool> stack;
    return stack;
  }
  static std::map<std::string, int64_t>& counts() {
    static std::map<std::string, int64_t> c;
    return c;
  }
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static bool launches_nothing(const char* name) {
    static const std::set<std::string> metadata_only = {
        "aten::as_strided",  "aten::view",       "aten::_reshape_alias", "aten::_unsafe_view", "aten::alias",
        "aten::expand",      "aten::t",          "aten::transpose",      "aten::permute",      "aten::select",
        "aten::slice",       "aten::narrow",     "aten::unsqueeze",      "aten::squeeze",      "aten::detach",
        "detach",            "aten::resolve_conj", "aten::resolve_neg",  "aten::empty",        "aten::empty_strided",
        "aten::empty_like",  "aten::lift_fresh", "aten::set_",           "aten::unbind",       "aten::split",
        "aten::chunk",       "aten::result_type", "aten::is_nonzero",    "aten::_has_compatible_shallow_copy_type",
        "aten::size",        "aten::stride",     "aten::numel",          "aten::dim",          "aten::contiguous"};
    return metadata_only.count(name) > 0;
  }
  static std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction&) {
    auto& stack = open_calls();
    if (!stack.empty()) stack.back() = true;
    stack.push_back(false);
    return nullptr;
  }
  static void on_end(const at::RecordFunction& fn, at::ObserverContext*) {
    auto& stack = open_calls();
    if (stack.empty()) return;  // started before the counter existed
    const bool had_children = stack.back();
    stack.pop_back();
    if (had_children || launches_nothing(fn.name())) return;
    std::lock_guard lock(mutex());
    ++counts()[fn.name()];
  }

  at::CallbackHandle handle_ = 0;
};

}  // namespace mose::bench
