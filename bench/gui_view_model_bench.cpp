// mose-gui's view-model at 10,000 trials: what the loader thread pays per snapshot and
// what the UI thread pays per frame (app/gui/*_panel.cpp call these each frame).
// Torch-free and ImGui-free: links mose_gui_view_model only. Usage:
//   gui_view_model_bench [--reps N] [--load-reps N] [--keep DIR]
// Writes a study (recipe + SQLite store) into a temporary folder through the Storage
// API, then prints one JSON object per measurement (median / min / max ms over the
// repetitions; record them in bench/RESULTS.md).
//
// The study: modes moe and mose x router topk | expert_choice | top_p x n_layer 2 | 4
// x 40 seeds = 480 training trials, each evaluated under uniform (8 widths), ttt and
// threshold (6 budgets each): 9,600 evaluations, 10,080 trials. About 1% of evaluations
// failed, the last 200 pending and 3 running, so status, facets and the ETA see a live
// study. Metrics follow tests/gui/gui_fixture.h's shape (loss rising as the width
// falls, steeply for standard MoE) with per-trial jitter, so frontiers are non-trivial.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "app/gui/view_model/frontier_view.h"
#include "app/gui/view_model/study_loader.h"
#include "app/gui/view_model/study_snapshot.h"
#include "app/gui/view_model/trial_detail.h"
#include "base/errors.h"
#include "db/clock.h"
#include "db/storage.h"
#include "study/analysis/analysis.h"
#include "study/recipe/recipe.h"

using namespace mose;
namespace vm = mose::app::gui::view_model;

namespace {

constexpr double kFrameBudgetMs = 16.0;

constexpr const char* kRecipe = R"(
[study]
name = "gui-bench"

[data]
max_bytes = 300000
cache_dir = "{cache}"

[model]
n_layer = 2
n_head = 2
d_model = 32
seq_len = 32
n_experts = 4
d_ff = 64
dense_d_ff = 64

[train]
steps = 800
batch_size = 16
device = "cpu"

[eval]
tokens = 65536
batch_size = 16

[modes.moe]
"train.width.widths" = [1.0]

[modes.mose]
"train.width.widths" = [0.25, 0.5, 0.75, 1.0]

[sweep]
"model.router.type" = ["topk", "expert_choice", "top_p"]
"model.n_layer" = [2, 4]
"train.seed" = [{seeds}]

[[policy]]
name = "uniform"
widths = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0]

[[policy]]
name = "ttt"
budgets = [0.2, 0.3, 0.4, 0.5, 0.6, 0.75]

[[policy]]
name = "threshold"
budgets = [0.2, 0.3, 0.4, 0.5, 0.6, 0.75]
)";

// Deterministic jitter in [-1, 1) from an id (splitmix64).
double jitter(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) / static_cast<double>(1ULL << 52) - 1.0;
}

std::vector<db::Metric> eval_metrics(const study::recipe::Recipe& plan, const study::recipe::EvalTrialSpec& spec,
                                     std::int64_t id) {
  const core::spec::RunConfig& config = plan.training[spec.training_index].config;
  const bool standard_moe = config.train.width.is_standard_moe();
  const bool uniform = spec.policy.name == "uniform";
  const double width = uniform ? spec.policy.width : spec.policy.budget;
  const double policy_gain = uniform ? 1.0 : spec.policy.name == "ttt" ? 0.8 : 0.9;
  const std::string& router = config.model.router.type;
  const int layers = static_cast<int>(config.model.n_layer);
  const double base = 1.70 - 0.05 * (layers - 2) +
                      (router == "top_p"           ? 0.015
                       : router == "expert_choice" ? -0.01
                                                   : 0.0) +
                      0.004 * jitter(config.train.seed);
  const double degradation = standard_moe ? 0.9 * (1 - width) * (1 - width) : 0.08 * (1 - width);
  const double loss = base + policy_gain * degradation + 0.002 * jitter(static_cast<std::uint64_t>(id));
  const double achieved = uniform ? width : width * (1.0 + 0.02 * jitter(static_cast<std::uint64_t>(id) * 7));
  const double expert_flops = layers * 2.0e6 * achieved;
  std::vector<db::Metric> metrics{{"val_loss", loss},
                                  {"perplexity", std::exp(loss)},
                                  {"flops_per_token", layers * 0.6e6 + expert_flops},
                                  {"expert_flops_per_token", expert_flops},
                                  {"expert_budget", achieved},
                                  {"mean_width", achieved}};
  for (int layer = 0; layer < layers; ++layer) {
    metrics.push_back({fmt::format("moe{}.mean_width", layer), achieved * (1.0 - 0.02 * layer)});
    metrics.push_back({fmt::format("moe{}.load_max_over_mean", layer), 1.1 + 0.05 * layer});
  }
  return metrics;
}

db::TrialSnapshot training_trial(const study::recipe::TrainingTrialSpec& spec, std::int64_t id, double t0) {
  db::TrialSnapshot t;
  t.trial = {.id = id,
             .kind = db::TrialKind::kTrain,
             .status = db::TrialStatus::kDone,
             .config = spec.config_json,
             .config_hash = spec.config_hash,
             .seed = static_cast<std::int64_t>(spec.config.train.seed),
             .created = t0,
             .started = t0 + 60.0 * static_cast<double>(id),
             .finished = t0 + 60.0 * static_cast<double>(id + 1),
             .worker = "bench:1:cpu0",
             .attempts = 1};
  for (std::int64_t step = 40; step <= 800; step += 40) {
    t.curves.push_back({"lm_loss", step, 5.5 / std::sqrt(static_cast<double>(step))});
    t.curves.push_back({"tokens", step, static_cast<double>(step * 512)});
  }
  t.metrics = {{"steps", 800}, {"tokens", 409600}, {"train_loss", 1.7}};
  t.artifacts.push_back({.trial_id = id,
                         .kind = "checkpoint",
                         .path = "checkpoints/" + spec.config_hash + ".pt",
                         .checksum = "fnv1a64:0",
                         .bytes = 1234567,
                         .created = *t.trial.finished});
  t.environment = {{"host", "bench"}, {"torch", "2.11.0"}};
  return t;
}

// Evaluation `index` of `count` (ids follow the training trials, as add_trials gives them).
db::TrialSnapshot eval_trial(const study::recipe::Recipe& plan, std::size_t index, std::int64_t parent, std::int64_t id,
                             double t0) {
  const study::recipe::EvalTrialSpec& spec = plan.evaluation[index];
  const std::size_t count = plan.evaluation.size();
  db::TrialSnapshot t;
  t.trial = {.id = id,
             .kind = db::TrialKind::kEval,
             .config = spec.config_json,
             .config_hash = spec.config_hash,
             .parent_id = parent,
             .created = t0};
  const double start = t0 + 30000.0 + 5.0 * static_cast<double>(index);
  if (index + 200 >= count) return t;  // pending
  t.trial.started = start, t.trial.worker = "bench:1:cpu0", t.trial.attempts = 1;
  if (index + 203 >= count) {
    t.trial.status = db::TrialStatus::kRunning;
    t.trial.heartbeat = start + 2.0;
  } else if (index % 97 == 13) {
    t.trial.status = db::TrialStatus::kFailed;
    t.trial.finished = start + 1.0;
    t.trial.error = "calibration diverged: no threshold reaches the budget";
  } else {
    t.trial.status = db::TrialStatus::kDone;
    t.trial.finished = start + 5.0;
    t.metrics = eval_metrics(plan, spec, id);
  }
  return t;
}

// recipe.toml and study.db in `dir`; returns the number of trials written.
std::size_t write_study(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::string seeds;
  for (int s = 1; s <= 40; ++s) seeds += fmt::format("{}{}", s == 1 ? "" : ", ", s);
  std::string text = kRecipe;
  text.replace(text.find("{cache}"), 7, (dir / "cache").string());
  text.replace(text.find("{seeds}"), 7, seeds);
  const std::filesystem::path recipe_path = dir / "recipe.toml";
  std::ofstream(recipe_path) << text;
  const study::recipe::Recipe plan = study::recipe::load_recipe(recipe_path);

  const double t0 = db::unix_now() - 3 * 86400.0;
  db::StudySnapshot study{
      .study = {.id = 1, .name = plan.name, .recipe_path = recipe_path.string(), .recipe_text = text, .created = t0}};
  for (std::size_t i = 0; i < plan.training.size(); ++i) {
    study.trials.push_back(training_trial(plan.training[i], static_cast<std::int64_t>(i + 1), t0));
  }
  for (std::size_t i = 0; i < plan.evaluation.size(); ++i) {
    const auto parent = static_cast<std::int64_t>(plan.evaluation[i].training_index + 1);
    const auto id = static_cast<std::int64_t>(plan.training.size() + i + 1);
    study.trials.push_back(eval_trial(plan, i, parent, id, t0));
  }
  std::unique_ptr<db::Storage> storage = db::open_storage((dir / "study.db").string());
  storage->import_study(study);
  return study.trials.size();
}

struct Stats {
  int reps = 0;
  double median = 0, min = 0, max = 0;
};

// Times `work(rep)` `reps` times with steady_clock.
Stats time_reps(int reps, const std::function<void(int)>& work) {
  std::vector<double> ms;
  for (int rep = 0; rep < reps; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    work(rep);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {.reps = reps, .median = ms[ms.size() / 2], .min = ms.front(), .max = ms.back()};
}

void report(const std::string& measure, const std::string& thread, const Stats& s, const std::string& extra = "") {
  fmt::print(
      R"({{"bench":"gui_view_model","measure":"{}","thread":"{}","reps":{},"median_ms":{:.4f},"min_ms":{:.4f},"max_ms":{:.4f}{}}})"
      "\n",
      measure, thread, s.reps, s.median, s.min, s.max, extra.empty() ? "" : "," + extra);
  std::fflush(stdout);
}

// What StudyLoader::run does for one snapshot, given an open store and the recipe.
std::shared_ptr<const vm::StudySnapshot> read_snapshot(db::Storage& storage, const db::StudyRecord& study,
                                                       const study::recipe::Recipe* recipe) {
  storage.count_trials(study.id);
  auto snapshot = std::make_shared<vm::StudySnapshot>(
      vm::make_snapshot(study::analysis::load_study_data(storage, study, recipe), db::unix_now()));
  snapshot->source = storage.describe();
  return snapshot;
}

// (1) Loader thread: a first load (open, find the study, parse its recipe, read, make
// the snapshot), a reload with all of that kept, and the real StudyLoader's time to its
// first published snapshot.
std::shared_ptr<const vm::StudySnapshot> bench_loading(const std::string& url, int reps) {
  std::shared_ptr<const vm::StudySnapshot> snapshot;
  const Stats first = time_reps(reps, [&](int) {
    std::unique_ptr<db::Storage> storage = db::open_storage(url);
    const db::StudyRecord study = study::analysis::find_study(*storage, "");
    const std::optional<study::recipe::Recipe> recipe = study::analysis::load_study_recipe(study);
    snapshot = read_snapshot(*storage, study, recipe ? &*recipe : nullptr);
  });
  report("load_first_snapshot", "loader", first, fmt::format(R"("trials":{})", snapshot->data.trials.size()));
  std::unique_ptr<db::Storage> storage = db::open_storage(url);
  const db::StudyRecord study = study::analysis::find_study(*storage, "");
  const std::optional<study::recipe::Recipe> recipe = study::analysis::load_study_recipe(study);
  report("reload_snapshot", "loader",
         time_reps(reps, [&](int) { snapshot = read_snapshot(*storage, study, recipe ? &*recipe : nullptr); }));
  report("study_loader_first_publish", "loader", time_reps(reps, [&](int) {
           vm::StudyLoader loader({.url = url, .poll_s = 60.0});
           while (loader.loads() == 0 && loader.error().empty())
             std::this_thread::sleep_for(std::chrono::microseconds(200));
           if (!loader.error().empty()) throw Error("StudyLoader: " + loader.error());
         }));
  return snapshot;
}

// The view's series and padded axis ranges, as the first frame after a change asks for
// them; returns the visible points.
std::size_t prepare(vm::FrontierView& view) {
  const vm::Range x = view.x_range(), y = view.y_range();
  return view.visible_points() + static_cast<std::size_t>(x.max < x.min || y.max < y.min);
}

// (2) UI thread, on the frame a snapshot arrives (Workspace's StudyTab::update): a new
// view (first snapshot) and a view that already had one and a filter set (a live
// refresh, every running_refresh_s while trials run).
// Returns the slowest repetition (ms).
double bench_frontier_build(const std::shared_ptr<const vm::StudySnapshot>& snapshot, int reps) {
  std::size_t n = 0;
  const Stats first = time_reps(reps, [&](int) {
    vm::FrontierView view;
    view.set_snapshot(snapshot);
    n = prepare(view);
  });
  report("frontier_first_snapshot", "ui", first, fmt::format(R"("points":{})", n));
  vm::FrontierView view;
  view.set_snapshot(snapshot);
  view.filter().set_checked("routing", "top_p", false);
  view.filter_changed();
  const Stats refresh = time_reps(reps, [&](int) {
    view.set_snapshot(snapshot);
    n = prepare(view);
  });
  report("frontier_new_snapshot", "ui", refresh, fmt::format(R"("points":{})", n));
  return std::max(first.max, refresh.max);
}

// One frame of view-model work with nothing changed: the toolbar's choices, the axis
// ranges and ticks, the prepared series, the selection marks, the hover hit-test and
// tooltip, the filters panel's counts and checkbox labels, the trial panel's row.
std::size_t frame_work(vm::FrontierView& view, double mouse_x, double mouse_y, vm::PixelScale scale) {
  std::size_t sink = view.x_metric_choices().size();
  const vm::Range x = view.x_range(), y = view.y_range();
  sink += vm::log_axis_ticks(x).size() + static_cast<std::size_t>(y.max > y.min);
  for (const vm::Series& s : view.series()) sink += s.xs.size() + s.frontier_xs.size();
  if (view.selected()) sink += view.point_of(*view.selected()).has_value();
  if (view.compared()) sink += view.point_of(*view.compared()).has_value();
  view.set_hovered(view.nearest_point(mouse_x, mouse_y, scale, 8.0));
  if (view.hovered()) sink += view.tooltip(*view.hovered()).size();
  sink += view.visible_points();
  for (const vm::Facet& facet : view.filter().facets()) {
    for (const vm::FacetValue& value : facet.values) sink += fmt::format("{} ({})", value.value, value.trials).size();
  }
  if (view.selected()) sink += view.snapshot()->data.find(*view.selected()) != nullptr;
  return sink;
}

// The pixel scale of a 1,200 x 800 px plot over the view's ranges, and mouse positions
// spread over it, for the hover measurements.
struct Mouse {
  vm::PixelScale scale{};
  std::vector<std::pair<double, double>> positions{};
};

Mouse mouse_over(vm::FrontierView& view) {
  const vm::Range x = view.x_range(), y = view.y_range();
  Mouse m{.scale = {.px_per_decade_x = 1200.0 / std::log10(x.max / x.min), .px_per_unit_y = 800.0 / (y.max - y.min)}};
  for (int i = 0; i < 64; ++i) {
    const double u = 0.5 + 0.5 * jitter(static_cast<std::uint64_t>(i)),
                 v = 0.5 + 0.5 * jitter(static_cast<std::uint64_t>(i) + 1000);
    m.positions.emplace_back(x.min * std::pow(x.max / x.min, u), y.min + v * (y.max - y.min));
  }
  // Also points exactly under the mouse (a tooltip is built).
  for (const vm::Series& s : view.series()) m.positions.emplace_back(s.xs[s.xs.size() / 2], s.ys[s.ys.size() / 2]);
  return m;
}

// (3) and (4) UI thread: a checkbox toggled, a search typed, a hover, a whole frame.
// Returns the slowest repetition (ms).
double bench_frame(const std::shared_ptr<const vm::StudySnapshot>& snapshot, int reps) {
  vm::FrontierView view;
  view.set_snapshot(snapshot);
  view.series();
  const Mouse mouse = mouse_over(view);
  view.select(snapshot->data.trials.back().trial.id - 500);
  view.select(snapshot->data.trials.back().trial.id - 900, true);
  // Over a point: frames with a change also build a tooltip.
  const double x0 = mouse.positions.back().first, y0 = mouse.positions.back().second;
  std::size_t sink = 0;
  std::vector<double> worst;
  auto run = [&](const std::string& measure, const std::function<void(int)>& work) {
    const Stats s = time_reps(reps, work);
    worst.push_back(s.max);
    report(measure, "ui", s, fmt::format(R"("points":{})", view.visible_points()));
  };
  run("filter_toggle", [&](int rep) {
    view.filter().set_checked("policy", "threshold", rep % 2 == 1);
    view.filter_changed();
    sink += frame_work(view, x0, y0, mouse.scale);
  });
  run("filter_toggle_seed", [&](int rep) {
    view.filter().set_checked("seed", "7", rep % 2 == 1);
    view.filter_changed();
    sink += frame_work(view, x0, y0, mouse.scale);
  });
  run("search_keystroke", [&](int rep) {
    view.filter().set_search(rep % 2 == 0 ? "seed=1" : "seed=17");
    view.filter_changed();
    sink += frame_work(view, x0, y0, mouse.scale);
  });
  view.filter().set_search("");
  view.filter_changed();
  run("hover_hit_test", [&](int rep) {
    const auto& [x, y] = mouse.positions[static_cast<std::size_t>(rep) % mouse.positions.size()];
    const std::optional<std::int64_t> id = view.nearest_point(x, y, mouse.scale, 8.0);
    if (id) sink += view.tooltip(*id).size();
  });
  run("frame_idle", [&](int rep) {
    const auto& [x, y] = mouse.positions[static_cast<std::size_t>(rep) % mouse.positions.size()];
    sink += frame_work(view, x, y, mouse.scale);
  });
  run("axis_change_y", [&](int rep) {
    view.set_y_metric(rep % 2 == 0 ? "perplexity" : "val_loss");
    sink += frame_work(view, x0, y0, mouse.scale);
  });
  fmt::print(stderr, "(checksum {})\n", sink);
  return *std::max_element(worst.begin(), worst.end());
}

int run_bench(int argc, char** argv) {
  int reps = 200, load_reps = 5;
  std::optional<std::filesystem::path> keep;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) {
      reps = std::stoi(argv[++i]);
    } else if (arg == "--load-reps" && i + 1 < argc) {
      load_reps = std::stoi(argv[++i]);
    } else if (arg == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else {
      throw UsageError(fmt::format(
          "unknown argument '{}'; usage: gui_view_model_bench [--reps N] [--load-reps N] [--keep DIR]", arg));
    }
  }
  const std::filesystem::path dir =
      keep.value_or(std::filesystem::temp_directory_path() / fmt::format("mose-gui-bench-{}", ::getpid()));
  std::filesystem::remove_all(dir);
  const auto start = std::chrono::steady_clock::now();
  const std::size_t trials = write_study(dir);
  fmt::print(R"({{"bench":"gui_view_model","measure":"write_study","trials":{},"ms":{:.1f},"db_bytes":{}}})"
             "\n",
             trials, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
             std::filesystem::file_size(dir / "study.db"));
  const std::shared_ptr<const vm::StudySnapshot> snapshot = bench_loading((dir / "study.db").string(), load_reps);
  const double build_worst = bench_frontier_build(snapshot, std::max(1, reps / 10));
  const double worst = std::max(build_worst, bench_frame(snapshot, reps));
  fmt::print(
      R"({{"bench":"gui_view_model","measure":"ui_frame_worst","thread":"ui","max_ms":{:.4f},"budget_ms":{:.1f},"within_budget":{}}})"
      "\n",
      worst, kFrameBudgetMs, worst < kFrameBudgetMs);
  if (!keep) std::filesystem::remove_all(dir);
  return 0;  // a measurement, not a test: within_budget above reports the 16 ms frame budget
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_bench(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "gui_view_model_bench: {}\n", describe(e));
    return 1;
  }
}
