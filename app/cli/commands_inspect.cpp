// `mose-study status`, `list` and `show`: read-only views of a study's store.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "base/errors.h"
#include "commands.h"
#include "db/clock.h"
#include "study/analysis/json_reader.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/report_table.h"
#include "study/analysis/study_status.h"
#include "study/analysis/terminal_table.h"
#include "study_access.h"

namespace mose::app::cli {
namespace {

struct ListArgs {
  StudyOptions study;
  std::string status;
  std::string kind;
  std::string group;
};

study::analysis::TableCell metric_cell(const study::analysis::TrialRow& row, const char* name) {
  const std::optional<double> value = row.metric(name);
  if (!value) return std::string("");
  return *value;
}

bool selected(const study::analysis::TrialRow& row, const ListArgs& args) {
  return (args.status.empty() || db::to_string(row.trial.status) == args.status) &&
         (args.kind.empty() || db::to_string(row.trial.kind) == args.kind) &&
         (args.group.empty() || row.group == args.group);
}

void check_choice(const char* flag, const std::string& value, std::initializer_list<const char*> accepted) {
  if (value.empty() || std::any_of(accepted.begin(), accepted.end(), [&](const char* a) { return value == a; })) {
    return;
  }
  throw UsageError(fmt::format("{} '{}': expected one of {}", flag, value, fmt::join(accepted, ", ")));
}

int list_trials(const ListArgs& args) {
  check_choice("--status", args.status, {"pending", "running", "done", "failed"});
  check_choice("--kind", args.kind, {"train", "eval"});
  const OpenedStudy opened = open_study(args.study);
  const study::analysis::StudyData data = opened.load();
  study::analysis::Table table;
  table.columns = {{"id"},
                   {"kind"},
                   {"status"},
                   {"group"},
                   {"label"},
                   {"attempts", {study::analysis::Notation::kFixed, 0}},
                   {"FLOPs/token", {study::analysis::Notation::kScientific, 3}},
                   {"val loss", {study::analysis::Notation::kFixed, 4}}};
  for (const study::analysis::TrialRow& row : data.trials) {
    if (!selected(row, args)) continue;
    table.rows.push_back({std::to_string(row.trial.id), std::string(db::to_string(row.trial.kind)),
                          std::string(db::to_string(row.trial.status)), row.group, row.full_label(),
                          static_cast<double>(row.trial.attempts), metric_cell(row, study::analysis::kFlopsPerToken),
                          metric_cell(row, study::analysis::kValLoss)});
  }
  std::cout << study::analysis::format_terminal_table(table);
  return kExitOk;
}

struct StatusArgs {
  StudyOptions study;
  double heartbeat_timeout_s = 60.0;
};

int show_status(const StatusArgs& args) {
  const OpenedStudy opened = open_study(args.study);
  const study::analysis::StudyData data = opened.load();
  const double now = db::unix_now();
  std::cout << study::analysis::format_status(data, study::analysis::study_status(data, now, args.heartbeat_timeout_s),
                                              now);
  return kExitOk;
}

// ---- show

// The stored canonical JSON as "key = value" lines, nested objects as dotted keys.
void flatten_json(const study::analysis::Json& value, const std::string& prefix, std::string& out) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      flatten_json(member, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  out += fmt::format("  {} = {}\n", prefix, *study::analysis::json_text(&value));
}

// Per curve: points, step range, first and last value, minimum.
std::string curves_summary(const std::vector<db::CurvePoint>& points) {
  std::map<std::string, std::vector<const db::CurvePoint*>> curves;
  for (const db::CurvePoint& p : points) curves[p.name].push_back(&p);
  std::string out;
  for (const auto& [name, series] : curves) {
    const auto lowest = std::min_element(series.begin(), series.end(),
                                         [](const auto* a, const auto* b) { return a->value < b->value; });
    out += fmt::format("  {}: {} points, steps {}..{}, {:.6g} -> {:.6g}, min {:.6g} at step {}\n", name, series.size(),
                       series.front()->step, series.back()->step, series.front()->value, series.back()->value,
                       (*lowest)->value, (*lowest)->step);
  }
  return out;
}

std::string trial_header(const study::analysis::TrialRow& row) {
  const db::TrialRecord& t = row.trial;
  std::string out = fmt::format("trial {} ({}): {}\n", t.id, db::to_string(t.kind), row.full_label());
  out += fmt::format("  status {}, attempts {}, worker {}, group {}\n", db::to_string(t.status), t.attempts,
                     t.worker.empty() ? "-" : t.worker, row.group);
  if (t.parent_id) out += fmt::format("  training trial {}\n", *t.parent_id);
  if (t.started && t.finished) out += "  took " + study::analysis::format_duration(*t.finished - *t.started) + "\n";
  out += fmt::format("  config hash {}\n", t.config_hash);
  if (!t.error.empty()) out += "  error: " + t.error + "\n";
  return out;
}

int show_trial(const StudyOptions& options, std::int64_t id) {
  const OpenedStudy opened = open_study(options);
  const study::analysis::StudyData data = opened.load();
  const study::analysis::TrialRow* row = data.find(id);
  if (row == nullptr) throw UsageError(fmt::format("study '{}' has no trial {}", data.study.name, id));
  std::string out = trial_header(*row);
  out += "config:\n";
  flatten_json(study::analysis::parse_json(row->trial.config, fmt::format("trial {} config", id)), "", out);
  out += "metrics:\n";
  for (const auto& [name, value] : row->metrics) out += fmt::format("  {} = {:.6g}\n", name, value);
  out += "curves:\n" + curves_summary(opened.storage->get_curves(id));
  out += "artifacts:\n";
  for (const db::ArtifactRecord& a : opened.storage->get_artifacts(id)) {
    out += fmt::format("  {}: {} ({} bytes, {})\n", a.kind, (opened.paths.out / a.path).string(), a.bytes, a.checksum);
  }
  out += "environment:\n";
  for (const db::EnvironmentEntry& e : opened.storage->get_environment(id))
    out += "  " + e.key + " = " + e.value + "\n";
  std::cout << out;
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<StatusArgs>();
  CLI::App* cmd = app.add_subcommand("status", "Trial counts, progress per axis value, running trials, ETA");
  add_study_options(*cmd, args->study);
  cmd->add_option("--heartbeat-timeout", args->heartbeat_timeout_s,
                  "the workers' heartbeat timeout: a running trial silent longer is shown as without heartbeat")
      ->check(CLI::PositiveNumber);
  cmd->footer(
      "Each running trial shows its worker and the age of its last heartbeat; one silent for longer than the "
      "heartbeat timeout reads 'running (no heartbeat for ...)': its worker is gone and the next claim takes it "
      "over.");
  cmd->callback([args, &action] { action = [args] { return show_status(*args); }; });
}

void add_list_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand("list", "List trials with their group, label and main metrics");
  add_study_options(*cmd, args->study);
  cmd->add_option("--status", args->status, "only trials with this status (pending, running, done, failed)");
  cmd->add_option("--kind", args->kind, "only trials of this kind (train, eval)");
  cmd->add_option("--group", args->group, "only trials of this group, e.g. mose|topk|uniform");
  cmd->callback([args, &action] { action = [args] { return list_trials(*args); }; });
}

void add_show_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<StudyOptions>();
  auto id = std::make_shared<std::int64_t>(0);
  CLI::App* cmd = app.add_subcommand("show", "One trial: config, metrics, curves, artifacts, environment");
  cmd->add_option("trial_id", *id, "the trial's id (see list)")->required();
  add_study_options(*cmd, *options);
  cmd->callback([options, id, &action] { action = [options, id] { return show_trial(*options, *id); }; });
}

}  // namespace mose::app::cli
