// `mose-study pareto`, `export`, `compare` and `gc`: frontiers and what follows from them.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "base/errors.h"
#include "commands.h"
#include "study/analysis/analysis_export.h"
#include "study/analysis/analysis_frontiers.h"
#include "study/analysis/checkpoint_gc.h"
#include "study/analysis/metric_names.h"
#include "study/analysis/report_table.h"
#include "study/analysis/terminal_table.h"
#include "study_access.h"

namespace mose::app::cli {
namespace {

struct MetricArgs {
  std::string y_metric = study::analysis::kValLoss;
  std::string x_metric = study::analysis::kFlopsPerToken;
  bool maximize = false;

  study::analysis::FrontierSpec spec() const {
    return {x_metric, y_metric,
            maximize ? study::analysis::Direction::kMaximize : study::analysis::Direction::kMinimize};
  }
};

void add_metric_options(CLI::App& cmd, MetricArgs& args) {
  cmd.add_option("--metric", args.y_metric, "quality metric on the y axis (default val_loss)");
  cmd.add_option("--x-metric", args.x_metric, "cost metric on the x axis, log scale (default flops_per_token)");
  cmd.add_flag("--maximize", args.maximize, "higher --metric is better (e.g. an accuracy)");
}

// ---- pareto

struct ParetoArgs {
  StudyOptions study;
  MetricArgs metric;
  bool all = false;
};

int pareto(const ParetoArgs& args) {
  const OpenedStudy opened = open_study(args.study);
  const study::analysis::StudyData data = opened.load();
  const study::analysis::FrontierSpec spec = args.metric.spec();
  const std::vector<study::analysis::Frontier> frontiers = study::analysis::study_frontiers(data, spec);
  study::analysis::FrontierTableOptions table{.x_header = spec.x_metric, .y_header = spec.y_metric};
  table.include_dominated = args.all;
  if (!frontiers.empty())
    std::cout << study::analysis::format_terminal_table(study::analysis::frontier_table(frontiers, table)) << "\n";
  std::cout << study::analysis::format_frontier_report(study::analysis::frontier_report(data, frontiers), spec);
  return kExitOk;
}

// ---- export

struct ExportArgs {
  StudyOptions study;
  MetricArgs metric;
  std::string formats = "csv,pdf,png,svg,tex";
  std::string dir;
};

int export_files(const ExportArgs& args) {
  const std::vector<std::string> formats = study::analysis::parse_export_formats(args.formats);
  const OpenedStudy opened = open_study(args.study);
  const study::analysis::ExportOptions options{
      .directory = args.dir.empty() ? opened.paths.out : std::filesystem::path(args.dir),
      .formats = formats,
      .spec = args.metric.spec()};
  for (const auto& path : study::analysis::export_study(opened.load(), options))
    std::cout << "wrote " << path.string() << "\n";
  return kExitOk;
}

// ---- compare

struct CompareArgs {
  StudyOptions study;
  MetricArgs metric;
  std::string a, b;
};

// All done evaluation points of study `name` as one frontier named after it.
study::analysis::Frontier study_frontier(db::Storage& storage, const db::StudyRecord& record,
                                         const study::analysis::FrontierSpec& spec) {
  const std::optional<study::recipe::Recipe> recipe = study::analysis::load_study_recipe(record);
  const study::analysis::StudyData data =
      study::analysis::load_study_data(storage, record, recipe ? &*recipe : nullptr);
  std::vector<study::analysis::ParetoPoint> points = study::analysis::study_points(data, spec);
  for (study::analysis::ParetoPoint& p : points) p.group = record.name;
  study::analysis::Frontier f = study::analysis::pareto_frontier(points, spec.direction);
  f.group = record.name;
  return f;
}

study::analysis::Frontier group_frontier(const std::vector<study::analysis::Frontier>& frontiers,
                                         const std::string& group, const std::string& study_name) {
  std::vector<std::string> names;
  for (const study::analysis::Frontier& f : frontiers) {
    if (f.group == group) return f;
    names.push_back(f.group);
  }
  throw UsageError(
      fmt::format("'{}' is neither a study in the store nor a group of study '{}' (groups: {})", group, study_name,
                  names.empty() ? "none with done evaluations" : fmt::format("{}", fmt::join(names, ", "))));
}

// Two studies of the store, or else two groups of the chosen study.
std::pair<study::analysis::Frontier, study::analysis::Frontier> resolve_pair(
    const CompareArgs& args, const study::analysis::FrontierSpec& spec) {
  const std::unique_ptr<db::Storage> storage = open_store(args.study);
  const std::optional<db::StudyRecord> a = storage->find_study(args.a);
  const std::optional<db::StudyRecord> b = storage->find_study(args.b);
  if (a && b) return {study_frontier(*storage, *a, spec), study_frontier(*storage, *b, spec)};
  const OpenedStudy opened = open_study(args.study);
  const std::vector<study::analysis::Frontier> frontiers = study::analysis::study_frontiers(opened.load(), spec);
  return {group_frontier(frontiers, args.a, opened.study.name), group_frontier(frontiers, args.b, opened.study.name)};
}

int compare(const CompareArgs& args) {
  const study::analysis::FrontierSpec spec = args.metric.spec();
  const auto [a, b] = resolve_pair(args, spec);
  const std::vector<study::analysis::Frontier> both{a, b};
  std::cout << study::analysis::format_terminal_table(
                   study::analysis::frontier_table(both, {.x_header = spec.x_metric, .y_header = spec.y_metric}))
            << "\n";
  study::analysis::FrontierReport report{.reference = study::analysis::hypervolume_reference(both)};
  for (const study::analysis::Frontier& f : both) {
    report.groups.push_back(
        {.group = f.group,
         .points = f.frontier.size() + f.dominated.size(),
         .on_frontier = f.frontier.size(),
         .best_y = f.frontier.empty() ? 0.0 : f.best().y,
         .hypervolume = report.reference ? study::analysis::hypervolume(f, *report.reference) : 0.0});
  }
  report.comparisons = {study::analysis::compare_frontiers(a, b), study::analysis::compare_frontiers(b, a)};
  std::cout << study::analysis::format_frontier_report(report, spec);
  return kExitOk;
}

// ---- gc

struct GcArgs {
  StudyOptions study;
  MetricArgs metric;
  bool dry_run = false;
};

int collect_garbage(const GcArgs& args) {
  const OpenedStudy opened = open_study(args.study);
  const study::analysis::StudyData data = opened.load();
  const std::vector<study::analysis::Frontier> frontiers = study::analysis::study_frontiers(data, args.metric.spec());
  const std::vector<study::analysis::GcCandidate> candidates =
      study::analysis::plan_checkpoint_gc(data, frontiers, opened.paths);
  std::int64_t bytes = 0;
  for (const study::analysis::GcCandidate& c : candidates) {
    std::cout << fmt::format("{} {} (training trial {}: {}, {:.1f} MB)\n", args.dry_run ? "would remove" : "removing",
                             c.checkpoint.string(), c.training_id, c.label, static_cast<double>(c.bytes) / 1e6);
    bytes += c.bytes;
  }
  if (!args.dry_run) study::analysis::remove_checkpoints(candidates);
  std::cout << fmt::format("{} {} checkpoint(s), {:.1f} MB\n", args.dry_run ? "would free" : "freed", candidates.size(),
                           static_cast<double>(bytes) / 1e6);
  return kExitOk;
}

}  // namespace

void add_pareto_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ParetoArgs>();
  CLI::App* cmd = app.add_subcommand("pareto", "Print each group's Pareto frontier, hypervolumes and FLOPs savings");
  add_study_options(*cmd, args->study);
  add_metric_options(*cmd, args->metric);
  cmd->add_flag("--all", args->all, "list the dominated points too");
  cmd->footer(
      "Groups are <mode>|<routing>|<policy>. Hypervolume reference point: 1.1 x the largest x, the worst "
      "y + 0.1, in (log10 x, y).");
  cmd->callback([args, &action] { action = [args] { return pareto(*args); }; });
}

void add_export_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Write trials.csv, frontier.csv, figures and a LaTeX table");
  add_study_options(*cmd, args->study);
  add_metric_options(*cmd, args->metric);
  cmd->add_option("--format", args->formats, "comma-separated: csv, pdf, png, svg, tex (default all)");
  cmd->add_option("--dir", args->dir, "output folder (default: the study folder)");
  cmd->footer("Figures need python3 with matplotlib (or MOSE_PYTHON); any of pdf, png, svg renders all three.");
  cmd->callback([args, &action] { action = [args] { return export_files(*args); }; });
}

void add_compare_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two studies, or two groups of one study, by their frontiers");
  cmd->add_option("a", args->a, "a study in the store, or a group of the chosen study")->required();
  cmd->add_option("b", args->b, "the other study or group")->required();
  add_study_options(*cmd, args->study);
  add_metric_options(*cmd, args->metric);
  cmd->callback([args, &action] { action = [args] { return compare(*args); }; });
}

void add_gc_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<GcArgs>();
  CLI::App* cmd = app.add_subcommand("gc", "Delete checkpoints whose evaluations are all done and all dominated");
  add_study_options(*cmd, args->study);
  add_metric_options(*cmd, args->metric);
  cmd->add_flag("--dry-run", args->dry_run, "only list what would be deleted");
  cmd->footer(
      "A checkpoint is kept while its training trial is not done, while any of its evaluations is not done, "
      "and while any of its evaluations is on a frontier.");
  cmd->callback([args, &action] { action = [args] { return collect_garbage(*args); }; });
}

}  // namespace mose::app::cli
