// The settings table (see settings.h). An engine-wide row is written once with
// MOSE_SETTING(path, role, range, description): the macro turns the same token sequence
// into the key string and the member access, so a key can never name a different field
// than the one it sets. Extension-owned rows come from the registered descriptors.
#include "core/spec/settings.h"

#include <fmt/format.h>

#include <filesystem>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <unordered_set>

#include "core/spec/limits.h"
#include "core/spec/model_family.h"
#include "core/spec/routing_regime.h"
#include "core/spec/width_sampler.h"

namespace mose::core::spec {
namespace {

using Path = std::filesystem::path;

template <typename Field>
constexpr SettingKind kind_of() {
  if constexpr (std::is_same_v<Field, bool>)
    return SettingKind::kBool;
  else if constexpr (std::is_integral_v<Field>)
    return SettingKind::kInteger;
  else if constexpr (std::is_floating_point_v<Field>)
    return SettingKind::kFloat;
  else if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, Path>)
    return SettingKind::kString;
  else if constexpr (std::is_same_v<Field, std::vector<double>>)
    return SettingKind::kFloatList;
  else {
    static_assert(std::is_same_v<Field, std::vector<Path>>, "a config field type the settings table cannot hold");
    return SettingKind::kStringList;
  }
}

template <typename Field>
void assign(Field& field, const SettingValue& value) {
  if constexpr (std::is_same_v<Field, bool>)
    field = std::get<bool>(value);
  else if constexpr (std::is_integral_v<Field>)
    field = static_cast<Field>(std::get<int64_t>(value));
  else if constexpr (std::is_floating_point_v<Field>)
    field = std::get<double>(value);
  else if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, Path>)
    field = std::get<std::string>(value);
  else if constexpr (std::is_same_v<Field, std::vector<double>>)
    field = std::get<std::vector<double>>(value);
  else
    field.assign(std::get<std::vector<std::string>>(value).begin(), std::get<std::vector<std::string>>(value).end());
}

// An unsigned field above INT64_MAX (set in code; recipes cannot) has no int64 value:
// its text would change the fingerprint, so it is refused rather than wrapped.
template <typename Field>
SettingValue value_of(const Field& field) {
  if constexpr (std::is_same_v<Field, bool>)
    return field;
  else if constexpr (std::is_integral_v<Field>) {
    if constexpr (std::is_unsigned_v<Field>) {
      if (static_cast<uint64_t>(field) > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw ConfigError(fmt::format("a setting's value {} is above {}, the largest a recipe can hold", field,
                                      std::numeric_limits<int64_t>::max()));
      }
    }
    return static_cast<int64_t>(field);
  } else if constexpr (std::is_floating_point_v<Field>)
    return static_cast<double>(field);
  else if constexpr (std::is_same_v<Field, std::string>)
    return field;
  else if constexpr (std::is_same_v<Field, Path>)
    return field.string();
  else if constexpr (std::is_same_v<Field, std::vector<double>>)
    return field;
  else {
    std::vector<std::string> texts;
    for (const Path& p : field) texts.push_back(p.string());
    return texts;
  }
}

template <typename Access>
Setting make_setting(std::string_view dotted, Access access, SettingRole role, SettingRange range,
                     std::string_view description) {
  using Field = std::remove_cvref_t<decltype(access(std::declval<RunConfig&>()))>;
  Setting s;
  s.key = std::string(dotted);
  s.kind = kind_of<Field>();
  s.role = role;
  s.range = std::move(range);
  s.description = std::string(description);
  if constexpr (std::is_integral_v<Field> && !std::is_same_v<Field, bool>) {
    // Recipes read int64: an unsigned field takes the non-negative part.
    s.min_integer = std::is_signed_v<Field> ? int64_t{std::numeric_limits<Field>::min()} : 0;
    s.max_integer = static_cast<uint64_t>(std::numeric_limits<Field>::max()) >
                            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                        ? std::numeric_limits<int64_t>::max()
                        : static_cast<int64_t>(std::numeric_limits<Field>::max());
  }
  s.set = [access, key = s.key, kind = s.kind](RunConfig& config, const SettingValue& value) {
    assign(access(config), as_kind(key, kind, value));
  };
  s.get = [access](const RunConfig& config) { return value_of(access(config)); };
  return s;
}

#define MOSE_SETTING(field, role, range, description) \
  make_setting(                                       \
      #field, [](auto& config) -> auto& { return config.field; }, SettingRole::role, range, description)

using R = SettingRange;

// A capacity factor c makes capacity ceil(c * tokens * k / E), which holds every token
// once c >= E / k: no factor above kMaxExperts changes anything.
SettingRange capacity_factor() {
  return R::interval(0, true, static_cast<double>(kMaxExperts), true, " (0 = no dropping)");
}

std::vector<Setting> data_settings() {
  return {
      MOSE_SETTING(data.format, kTraining, R::any("text or nanogpt"),
                   "\"text\" (sources tokenized into cache_dir) or \"nanogpt\" (train.bin/val.bin)"),
      MOSE_SETTING(data.sources, kTraining, R::any("at least one path (text)"),
                   "text files or folders (plain, gzip or dictzip), relative to the run directory"),
      MOSE_SETTING(data.tokenizer, kTraining, R::any("a tokenizer name"),
                   "tokenizer name: \"byte\" or \"sentencepiece\""),
      MOSE_SETTING(data.tokenizer_model, kTraining, R::any(),
                   "sentencepiece: adopt this .model instead of training one"),
      MOSE_SETTING(data.val_fraction, kTraining, R::any("in (0, 1)"),
                   "expected share of corpus blocks held out for validation"),
      MOSE_SETTING(data.max_bytes, kTraining, R::any("0 to 1099511627776 (1 TiB)"),
                   "use only this many leading bytes of the corpus (whole lines); 0 = all"),
      MOSE_SETTING(data.split_block_bytes, kTraining, R::any("256 to 1073741824"),
                   "size of the blocks the train/val split assigns whole"),
      MOSE_SETTING(data.max_tokenizer_sentences, kTraining, R::any("1 to 100000000"),
                   "sentencepiece training sample, in lines"),
      MOSE_SETTING(data.nanogpt_dir, kTraining, R::any("a folder (nanogpt)"),
                   "nanogpt: the folder holding train.bin and val.bin"),
      MOSE_SETTING(data.token_dtype, kTraining, R::any("uint16 or uint32"),
                   "nanogpt: \"uint16\" or \"uint32\" token ids"),
      MOSE_SETTING(data.vocab_size, kTraining, R::any("0 to 16777216; nanogpt: at least 1"),
                   "nanogpt: vocabulary of the token files; sentencepiece: size to train"),
      MOSE_SETTING(data.cache_dir, kLocation, R::any("a folder (text)"),
                   "folder for the prepared token files (not part of a trial's identity)"),
  };
}

std::vector<Setting> model_settings() {
  Setting family =
      MOSE_SETTING(model.family, kTraining, R::registered("model family", [] { return model_families().names(); }),
                   "model family: the architecture and how its FLOPs are counted");
  // Listed only away from its default, so trials made before families existed keep their hashes.
  family.listed = [](const RunConfig& c) { return c.model.family != "gpt"; };
  family.listed_when = "when not gpt";
  return {
      family,
      MOSE_SETTING(model.vocab_size, kTraining,
                   R::satisfying(fmt::format("0 (from the data) or 2 to {}", kMaxVocab),
                                 [](const SettingValue& v) {
                                   const int64_t n = std::get<int64_t>(v);
                                   return n == 0 || (n >= 2 && n <= kMaxVocab);
                                 }),
                   "vocabulary size; 0 = the data's"),
      MOSE_SETTING(model.n_layer, kTraining, R::between(1, kMaxLayers), "transformer blocks"),
      MOSE_SETTING(model.n_head, kTraining, R::between(1, kMaxHeads), "attention heads"),
      MOSE_SETTING(model.d_model, kTraining, R::between(1, kMaxDModel), "residual width, a multiple of n_head"),
      MOSE_SETTING(model.seq_len, kTraining, R::between(1, kMaxSeqLen), "context length in tokens"),
      MOSE_SETTING(model.positions, kTraining, R::one_of({"learned", "rope"}), "position encoding"),
      MOSE_SETTING(model.activation, kTraining, R::one_of({"gelu", "swiglu"}),
                   "FFN activation (experts and dense FFNs)"),
      MOSE_SETTING(model.n_experts, kTraining, R::between(1, kMaxExperts), "experts per MoE layer"),
      MOSE_SETTING(model.d_ff, kTraining, R::between(1, kMaxFfnHidden), "expert hidden size at width 1.0"),
      MOSE_SETTING(model.dense_d_ff, kTraining, R::between(1, kMaxFfnHidden),
                   "hidden size of dense (non-MoE) FFN layers"),
      MOSE_SETTING(model.moe_stride, kTraining, R::between(1, kMaxLayers),
                   "layer i is MoE when (i + 1) % moe_stride == 0"),
  };
}

std::vector<Setting> router_settings() {
  return {
      MOSE_SETTING(model.router.type, kTraining, R::registered("router", [] { return router_regimes().names(); }),
                   "routing regime"),
      MOSE_SETTING(model.router.top_k, kTraining,
                   R::satisfying(fmt::format("at most {}; 1 to model.n_experts (each regime says)", kMaxExperts),
                                 [](const SettingValue& v) { return std::get<int64_t>(v) <= kMaxExperts; }),
                   "experts per token"),
      MOSE_SETTING(model.router.renormalize, kTraining, R::any(), "renormalise the gates over the chosen k"),
      MOSE_SETTING(model.router.noise_std, kTraining, R::interval(0, true, kMaxCoefficient, true),
                   "std of Gaussian noise on router logits in training"),
      MOSE_SETTING(model.router.capacity_factor_train, kTraining, capacity_factor(),
                   "expert capacity factor in training; 0 = no dropping"),
      MOSE_SETTING(model.router.capacity_factor_eval, kTraining, capacity_factor(),
                   "expert capacity factor in evaluation; 0 = no dropping"),
      MOSE_SETTING(model.router.balance_loss_coef, kTraining, R::interval(0, true, kMaxCoefficient, true),
                   "Switch load-balancing loss weight"),
      MOSE_SETTING(model.router.z_loss_coef, kTraining, R::interval(0, true, kMaxCoefficient, true),
                   "router z-loss weight (ST-MoE)"),
  };
}

std::vector<Setting> train_settings() {
  Setting threads = MOSE_SETTING(train.cpu_threads, kTraining, R::between(1, kMaxCpuThreads),
                                 "intra-op CPU threads per trial; results depend on it, so it is part of the identity");
  // Listed only away from 1, so the hashes of trials from before the setting stay valid.
  threads.listed = [](const RunConfig& c) { return c.train.cpu_threads != 1; };
  threads.listed_when = "when not 1";
  return {
      MOSE_SETTING(train.steps, kTraining, R::between(1, kMaxSteps), "optimizer steps"),
      MOSE_SETTING(train.batch_size, kTraining, R::between(1, kMaxBatch), "sequences per micro-batch"),
      MOSE_SETTING(train.grad_accum, kTraining, R::between(1, kMaxBatch), "micro-batches per optimizer step"),
      MOSE_SETTING(train.seed, kTraining, R::any(), "seed of initialisation, batches and width sampling"),
      MOSE_SETTING(train.bf16_autocast, kTraining, R::any(), "bf16 autocast on CUDA (CPU runs fp32)"),
      threads,
      MOSE_SETTING(train.optim.lr, kTraining, R::interval(0, false, 10, true), "peak learning rate"),
      MOSE_SETTING(train.optim.min_lr_ratio, kTraining, R::interval(0, true, 1, true), "final lr = lr * min_lr_ratio"),
      MOSE_SETTING(train.optim.warmup_steps, kTraining, R::between(0, kMaxSteps), "linear warm-up steps"),
      MOSE_SETTING(train.optim.schedule, kTraining, R::one_of({"cosine", "linear", "constant"}),
                   "learning-rate schedule"),
      MOSE_SETTING(train.optim.weight_decay, kTraining, R::interval(0, true, 10, true),
                   "AdamW weight decay on matrices"),
      MOSE_SETTING(train.optim.beta1, kTraining, R::interval(0, true, 1, false), "AdamW beta1"),
      MOSE_SETTING(train.optim.beta2, kTraining, R::interval(0, true, 1, false), "AdamW beta2"),
      MOSE_SETTING(train.optim.eps, kTraining, R::interval(0, false, 1, true), "AdamW epsilon"),
      MOSE_SETTING(train.optim.grad_clip, kTraining, R::interval(0, true, 1e6, true, " (0 = off)"),
                   "gradient-norm clip; 0 = off"),
      MOSE_SETTING(train.width.widths, kTraining,
                   R::any(fmt::format("increasing, in (0, 1], ending at 1.0; at most {} widths", kMaxWidths)),
                   "training widths W; [1.0] = standard MoE"),
      MOSE_SETTING(train.width.sampler, kTraining,
                   R::registered("width sampler", [] { return width_samplers().names(); }),
                   "width sampler: which widths each step trains"),
  };
}

std::vector<Setting> width_settings() {
  return {
      MOSE_SETTING(train.width.granularity, kTraining, R::one_of({"step", "layer", "expert", "token"}),
                   "random passes: one width per step, MoE layer, (layer, expert) or (token, expert)"),
      MOSE_SETTING(train.width.distill, kTraining, R::any(), "in-place distillation from the widest pass"),
      MOSE_SETTING(train.width.distill_weight, kTraining, R::interval(0, true, 1, true),
                   "slim loss = (1 - a) * CE + a * KL(full || slim)"),
  };
}

bool is_device(const SettingValue& value) {
  const std::string& d = std::get<std::string>(value);
  return d == "auto" || d == "cpu" || d.rfind("cuda", 0) == 0;
}

std::vector<Setting> execution_and_eval_settings() {
  Setting tasks = MOSE_SETTING(eval.tasks, kEvaluation, R::any(".jsonl (multiple choice) or .txt (last word) files"),
                               "zero-shot task files scored under every policy");
  // Listed only when set, so configs without tasks keep their hashes.
  tasks.listed = [](const RunConfig& c) { return !c.eval.tasks.empty(); };
  tasks.listed_when = "when set";
  return {
      MOSE_SETTING(train.device, kExecution, R::satisfying("auto, cpu, cuda or cuda:N", is_device),
                   "where training and evaluation run"),
      MOSE_SETTING(train.log_every, kExecution, R::between(1, kMaxSteps), "steps between log lines"),
      MOSE_SETTING(train.checkpoint_every, kExecution, R::between(0, kMaxSteps, " (0 = at the end only)"),
                   "steps between checkpoints; 0 = at the end only"),
      MOSE_SETTING(eval.tokens, kEvaluation, R::between(1, kMaxEvalTokens), "validation tokens per evaluation"),
      MOSE_SETTING(eval.batch_size, kEvaluation, R::between(1, kMaxBatch), "sequences per evaluation batch"),
      tasks,
  };
}

#undef MOSE_SETTING

// The rows of every registered owner's settings. `bag` finds the OwnedSettings they live
// in and `choice` the setting that selects the owner by name (both generic lambdas, for
// const and non-const configs).
template <typename Descriptor, typename Bag, typename Choice>
void append_owned(std::vector<Setting>& rows, const Registry<Descriptor>& registry, const std::string& table, Bag bag,
                  Choice choice) {
  for (const Descriptor& owner : registry.entries()) {
    for (const OwnedSetting& declared : owner.settings) {
      Setting s;
      s.key = table + declared.name;
      s.kind = declared.kind;
      s.role = SettingRole::kTraining;
      s.description = declared.description;
      s.range = declared.range;
      s.min_integer = declared.min_integer;
      s.max_integer = declared.max_integer;
      s.owner = fmt::format("{} '{}'", registry.what(), owner.name);
      s.declared_default = declared.default_value;
      const std::string key = s.key, name = owner.name;
      s.get = [key, bag](const RunConfig& c) { return bag(c).get(key); };
      s.set = [key, bag](RunConfig& c, const SettingValue& v) { bag(c).set(key, v); };
      s.select_owner = [name, choice](RunConfig& c) { choice(c) = name; };
      if (!declared.always_listed) {
        s.listed = [name, choice](const RunConfig& c) { return choice(c) == name; };
        s.listed_when = "when selected";
      }
      rows.push_back(std::move(s));
    }
  }
}

std::vector<Setting> build_table() {
  std::vector<Setting> rows = data_settings();
  for (Setting& s : model_settings()) rows.push_back(std::move(s));
  append_owned(
      rows, model_families(), "model.", [](auto& c) -> auto& { return c.model.options; },
      [](auto& c) -> auto& { return c.model.family; });
  for (Setting& s : router_settings()) rows.push_back(std::move(s));
  append_owned(
      rows, router_regimes(), "model.router.", [](auto& c) -> auto& { return c.model.router.options; },
      [](auto& c) -> auto& { return c.model.router.type; });
  for (Setting& s : train_settings()) rows.push_back(std::move(s));
  append_owned(
      rows, width_samplers(), "train.width.", [](auto& c) -> auto& { return c.train.width.options; },
      [](auto& c) -> auto& { return c.train.width.sampler; });
  for (Setting& s : width_settings()) rows.push_back(std::move(s));
  for (Setting& s : execution_and_eval_settings()) rows.push_back(std::move(s));
  std::unordered_set<std::string> keys;
  for (const Setting& s : rows) {
    if (!keys.insert(s.key).second) throw std::logic_error("settings table: key '" + s.key + "' declared twice");
  }
  return rows;
}

}  // namespace

const std::vector<Setting>& all_settings() {
  static const std::vector<Setting> table = build_table();
  return table;
}

const Setting* find_setting(std::string_view key) {
  for (const Setting& s : all_settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

std::vector<std::string> setting_names(std::string_view prefix) {
  std::vector<std::string> names;
  for (const Setting& s : all_settings()) {
    if (s.key.starts_with(prefix)) names.push_back(s.key);
  }
  return names;
}

void check_ranges(const RunConfig& config, std::string_view prefix) {
  for (const Setting& s : all_settings()) {
    if (s.key.starts_with(prefix) && s.is_listed(config)) check_range(s, config);
  }
}

std::vector<const Setting*> identity_settings(const RunConfig& config) {
  std::vector<const Setting*> out;
  for (const Setting& s : all_settings()) {
    const bool identity = s.role == SettingRole::kTraining || s.role == SettingRole::kEvaluation;
    if (identity && s.is_listed(config)) out.push_back(&s);
  }
  return out;
}

ConfigEntries config_entries(const RunConfig& config) {
  ConfigEntries entries;
  for (const Setting* s : identity_settings(config)) entries.emplace_back(s->key, entry_text(s->get(config)));
  return entries;
}

std::string training_fingerprint(const RunConfig& config) {
  std::string text;
  for (const Setting* s : identity_settings(config)) {
    if (s->role == SettingRole::kTraining) text += s->key + "=" + entry_text(s->get(config)) + "\n";
  }
  return stable_hash(text);
}

std::string stable_hash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace mose::core::spec
