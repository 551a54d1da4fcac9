// Markdown tables of the settings and the extension points (see reference_doc.h).
#include "core/spec/reference_doc.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/settings.h"
#include "core/spec/width_policy.h"
#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

// A table cell: pipes would end the cell early.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string code(const std::string& text) { return text.empty() ? "" : "`" + cell(text) + "`"; }

// What a setting accepts, for the docs: its range's text, else what its type allows.
std::string valid_values(const Setting& s) {
  if (!s.range.text.empty()) return s.range.text;
  if (s.kind == SettingKind::kInteger) return fmt::format("{} to {}", s.min_integer, s.max_integer);
  if (s.kind == SettingKind::kBool) return "true or false";
  return "any";
}

std::string settings_table() {
  std::string out = "### Settings\n\n";
  out +=
      "Every key a recipe may set. *Identity* says what a setting changes: `training` settings are part of "
      "the training fingerprint and the training trial's hash, `evaluation` settings of the evaluation trials' "
      "hash only, "
      "`execution` and `location` settings of neither; in parentheses, when a config lists the setting "
      "(an extension's own settings only while that extension is selected).\n\n";
  out += "| key | type | default | valid values | identity | owner | meaning |\n|---|---|---|---|---|---|---|\n";
  static const char* const kRoles[] = {"training", "evaluation", "execution", "location"};
  for (const Setting& s : all_settings()) {
    const std::string identity =
        std::string(kRoles[static_cast<int>(s.role)]) + (s.listed_when.empty() ? "" : " (" + s.listed_when + ")");
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", code(s.key), kind_name(s.kind),
                       code(entry_text(s.default_value())), cell(valid_values(s)), identity, cell(s.owner),
                       cell(s.description));
  }
  return out;
}

template <typename Descriptor>
std::string owned_keys(const Descriptor& d, const std::string& table) {
  std::vector<std::string> keys;
  for (const OwnedSetting& s : d.settings) keys.push_back(code(table + s.name));
  return fmt::format("{}", fmt::join(keys, ", "));
}

std::string regimes_table() {
  std::string out =
      "### Routing regimes (`model.router.type`)\n\n| name | regime | reference | its own keys |\n"
      "|---|---|---|---|\n";
  for (const RouterRegime& r : router_regimes().entries()) {
    out += fmt::format("| {} | {} | {} | {} |\n", code(r.name), cell(r.summary), cell(r.reference),
                       owned_keys(r, "model.router."));
  }
  return out;
}

std::string samplers_table() {
  std::string out =
      "### Width samplers (`train.width.sampler`)\n\n| name | each training step | its own keys |\n"
      "|---|---|---|\n";
  for (const WidthSamplerKind& s : width_samplers().entries()) {
    out += fmt::format("| {} | {} | {} |\n", code(s.name), cell(s.summary), owned_keys(s, "train.width."));
  }
  return out;
}

std::string policies_table() {
  std::string out = "### Width policies (`[[policy]] name`)\n\n| name | policy | `[[policy]]` keys |\n|---|---|---|\n";
  for (const WidthPolicyKind& p : width_policies().entries()) {
    std::vector<std::string> parameters;
    for (const PolicyParameter& parameter : p.parameters) {
      parameters.push_back(fmt::format("{}: {}", code(parameter.name), cell(parameter.expected)));
    }
    out += fmt::format("| {} | {} | {} |\n", code(p.name), cell(p.summary), fmt::join(parameters, "; "));
  }
  return out;
}

std::string families_table() {
  std::string out = "### Model families (`model.family`)\n\n| name | architecture | its own keys |\n|---|---|---|\n";
  for (const ModelFamily& f : model_families().entries()) {
    out += fmt::format("| {} | {} | {} |\n", code(f.name), cell(f.summary), owned_keys(f, "model."));
  }
  return out;
}

}  // namespace

std::string reference_markdown() {
  return regimes_table() + "\n" + samplers_table() + "\n" + policies_table() + "\n" + families_table() + "\n" +
         settings_table();
}

}  // namespace mose::core::spec
