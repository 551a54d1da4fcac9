#include "trial_detail.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include "study/analysis/json_reader.h"
#include "study/analysis/metric_names.h"

namespace mose::app::gui::view_model {
namespace {

void flatten(const study::analysis::Json& value, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, member] : value.items()) flatten(member, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  out[prefix] = *study::analysis::json_text(&value);
}

std::map<std::string, std::string> flat_map(const study::analysis::StudyData& data,
                                            const study::analysis::TrialRow& row) {
  std::map<std::string, std::string> out;
  const auto parse = [](const study::analysis::TrialRow& r) {
    return study::analysis::parse_json(r.trial.config, fmt::format("trial {} config", r.trial.id));
  };
  if (row.trial.kind == db::TrialKind::kTrain) {
    flatten(parse(row), "", out);
    return out;
  }
  if (const study::analysis::TrialRow* parent = training_row(data, row)) flatten(parse(*parent), "", out);
  const study::analysis::Json config = parse(row);
  if (const study::analysis::Json* policy = study::analysis::json_find(config, "policy"))
    flatten(*policy, "policy", out);
  return out;
}

}  // namespace

const study::analysis::TrialRow* training_row(const study::analysis::StudyData& data,
                                              const study::analysis::TrialRow& row) {
  if (row.trial.kind == db::TrialKind::kTrain) return &row;
  return row.trial.parent_id ? data.find(*row.trial.parent_id) : nullptr;
}

std::vector<std::pair<std::string, std::string>> flat_config(const study::analysis::StudyData& data,
                                                             const study::analysis::TrialRow& row) {
  const std::map<std::string, std::string> flat = flat_map(data, row);
  return {flat.begin(), flat.end()};
}

std::vector<ConfigLine> config_diff(const study::analysis::StudyData& data, const study::analysis::TrialRow& first,
                                    const study::analysis::TrialRow* second) {
  const std::map<std::string, std::string> a = flat_map(data, first);
  std::map<std::string, std::string> b;
  if (second != nullptr) b = flat_map(data, *second);
  std::vector<ConfigLine> lines;
  for (const auto& [key, value] : a) {
    ConfigLine line{.key = key, .first = value};
    if (second != nullptr) {
      const auto it = b.find(key);
      if (it == b.end()) {
        line.change = ConfigLine::Change::kOnlyFirst;
      } else {
        line.second = it->second;
        line.change = it->second == value ? ConfigLine::Change::kSame : ConfigLine::Change::kChanged;
      }
    }
    lines.push_back(std::move(line));
  }
  for (const auto& [key, value] : b) {
    if (!a.contains(key)) lines.push_back({.key = key, .second = value, .change = ConfigLine::Change::kOnlySecond});
  }
  std::sort(lines.begin(), lines.end(), [](const ConfigLine& l, const ConfigLine& r) { return l.key < r.key; });
  return lines;
}

TrainingCurves training_curves(const std::vector<db::CurvePoint>& points) {
  std::map<std::int64_t, double> tokens_at;
  for (const db::CurvePoint& p : points) {
    if (p.name == "tokens") tokens_at[p.step] = p.value;
  }
  TrainingCurves out;
  if (!tokens_at.empty()) out.x_label = "tokens";
  std::map<std::string, Curve> curves;
  for (const db::CurvePoint& p : points) {
    if (p.name != study::analysis::kCurveLmLoss && !p.name.starts_with(study::analysis::kCurvePassLossPrefix)) continue;
    double x = static_cast<double>(p.step);
    if (!tokens_at.empty()) {
      const auto it = tokens_at.find(p.step);
      if (it == tokens_at.end()) continue;  // a point without its token count cannot be placed
      x = it->second;
    }
    Curve& c = curves[p.name];
    c.name = p.name;
    c.xs.push_back(x);
    c.ys.push_back(p.value);
  }
  if (const auto it = curves.find(study::analysis::kCurveLmLoss); it != curves.end()) {
    out.curves.push_back(std::move(it->second));
    curves.erase(it);
  }
  for (auto& [name, curve] : curves) out.curves.push_back(std::move(curve));
  return out;
}

std::vector<LayerMetric> layer_metrics(const study::analysis::TrialRow& row) {
  std::map<std::string, std::map<std::size_t, double>> by_name;
  std::size_t layers = 0;
  for (const auto& [name, value] : row.metrics) {
    if (!name.starts_with(study::analysis::kLayerMetricPrefix)) continue;
    const std::size_t dot = name.find('.');
    std::size_t layer = 0;
    const char* begin = name.data() + 3;
    const char* end = name.data() + (dot == std::string::npos ? name.size() : dot);
    const auto [ptr, ec] = std::from_chars(begin, end, layer);
    if (dot == std::string::npos || ec != std::errc() || ptr != end || begin == end) continue;
    by_name[name.substr(dot + 1)][layer] = value;
    layers = std::max(layers, layer + 1);
  }
  std::vector<LayerMetric> out;
  for (const auto& [name, values] : by_name) {
    LayerMetric metric{.name = name, .by_layer = std::vector<double>(layers, std::numeric_limits<double>::quiet_NaN())};
    for (const auto& [layer, value] : values) metric.by_layer[layer] = value;
    out.push_back(std::move(metric));
  }
  return out;
}

}  // namespace mose::app::gui::view_model
