// The recipe key table. Each row is written once with MOSE_RECIPE_KEY(path, text): the
// macro turns the same token sequence into the key string and the member access, so a
// key can never name a different field than the one it sets.
#include "study/recipe_keys.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <type_traits>

#include "core/config_entries.h"

namespace mose::study {
namespace {

using Path = std::filesystem::path;

template <typename Field>
constexpr ValueKind kind_of() {
  if constexpr (std::is_same_v<Field, bool>) return ValueKind::kBool;
  else if constexpr (std::is_integral_v<Field>) return ValueKind::kInteger;
  else if constexpr (std::is_floating_point_v<Field>) return ValueKind::kFloat;
  else if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, Path>) return ValueKind::kString;
  else if constexpr (std::is_same_v<Field, std::vector<double>>) return ValueKind::kFloatList;
  else {
    static_assert(std::is_same_v<Field, std::vector<Path>>, "a config field type the recipe table cannot set");
    return ValueKind::kStringList;
  }
}

template <typename Field>
void assign(Field& field, const FieldValue& value) {
  if constexpr (std::is_same_v<Field, bool>) field = std::get<bool>(value);
  else if constexpr (std::is_integral_v<Field>) field = static_cast<Field>(std::get<int64_t>(value));
  else if constexpr (std::is_floating_point_v<Field>) field = std::get<double>(value);
  else if constexpr (std::is_same_v<Field, std::string> || std::is_same_v<Field, Path>)
    field = std::get<std::string>(value);
  else if constexpr (std::is_same_v<Field, std::vector<double>>) field = std::get<std::vector<double>>(value);
  else field.assign(std::get<std::vector<std::string>>(value).begin(), std::get<std::vector<std::string>>(value).end());
}

template <typename Field>
JsonValue to_json(const Field& field) {
  if constexpr (std::is_same_v<Field, bool> || std::is_same_v<Field, std::string> ||
                std::is_floating_point_v<Field>) {
    return JsonValue(field);
  } else if constexpr (std::is_integral_v<Field> && std::is_signed_v<Field>) {
    return JsonValue(static_cast<int64_t>(field));
  } else if constexpr (std::is_integral_v<Field>) {
    return JsonValue(static_cast<uint64_t>(field));
  } else if constexpr (std::is_same_v<Field, Path>) {
    return JsonValue(field.string());
  } else {
    JsonValue::Array array;
    for (const auto& item : field) array.push_back(to_json(item));
    return JsonValue(std::move(array));
  }
}

template <typename Access>
RecipeKey make_key(std::string_view dotted, Access access, std::string_view description) {
  using Field = std::remove_cvref_t<decltype(access(std::declval<core::RunConfig&>()))>;
  RecipeKey key;
  key.key = std::string(dotted);
  key.kind = kind_of<Field>();
  if constexpr (std::is_integral_v<Field> && !std::is_same_v<Field, bool>) {
    // TOML integers are int64: an unsigned field takes the non-negative part.
    key.min_integer = std::is_signed_v<Field> ? int64_t{std::numeric_limits<Field>::min()} : 0;
    key.max_integer = static_cast<uint64_t>(std::numeric_limits<Field>::max()) >
                              static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                          ? std::numeric_limits<int64_t>::max()
                          : static_cast<int64_t>(std::numeric_limits<Field>::max());
  }
  key.description = std::string(description);
  key.set = [access](core::RunConfig& config, const FieldValue& value) { assign(access(config), value); };
  key.get = [access](const core::RunConfig& config) { return to_json(access(config)); };
  return key;
}

#define MOSE_RECIPE_KEY(field, description) \
  make_key(#field, [](auto& config) -> auto& { return config.field; }, description)

std::vector<RecipeKey> build_keys() {
  return {
      MOSE_RECIPE_KEY(data.format, "\"text\" (sources tokenized into cache_dir) or \"nanogpt\" (train.bin/val.bin)"),
      MOSE_RECIPE_KEY(data.sources, "text files or folders (plain, gzip or dictzip), relative to the run directory"),
      MOSE_RECIPE_KEY(data.tokenizer, "tokenizer name: \"byte\" or \"sentencepiece\""),
      MOSE_RECIPE_KEY(data.tokenizer_model, "sentencepiece: adopt this .model instead of training one"),
      MOSE_RECIPE_KEY(data.val_fraction, "expected share of corpus blocks held out for validation, in (0, 1)"),
      MOSE_RECIPE_KEY(data.max_bytes, "use only this many leading bytes of the corpus (whole lines); 0 = all"),
      MOSE_RECIPE_KEY(data.split_block_bytes, "size of the blocks the train/val split assigns whole"),
      MOSE_RECIPE_KEY(data.max_tokenizer_sentences, "sentencepiece training sample, in lines"),
      MOSE_RECIPE_KEY(data.nanogpt_dir, "nanogpt: the folder holding train.bin and val.bin"),
      MOSE_RECIPE_KEY(data.token_dtype, "nanogpt: \"uint16\" or \"uint32\" token ids"),
      MOSE_RECIPE_KEY(data.vocab_size, "nanogpt: vocabulary of the token files; sentencepiece: size to train"),
      MOSE_RECIPE_KEY(data.cache_dir, "folder for the prepared token files (not part of a trial's identity)"),
      MOSE_RECIPE_KEY(model.vocab_size, "vocabulary size; 0 = the data's"),
      MOSE_RECIPE_KEY(model.n_layer, "transformer blocks"),
      MOSE_RECIPE_KEY(model.n_head, "attention heads"),
      MOSE_RECIPE_KEY(model.d_model, "residual width, a multiple of n_head"),
      MOSE_RECIPE_KEY(model.seq_len, "context length in tokens"),
      MOSE_RECIPE_KEY(model.positions, "\"learned\" or \"rope\""),
      MOSE_RECIPE_KEY(model.activation, "\"gelu\" or \"swiglu\" (experts and dense FFNs)"),
      MOSE_RECIPE_KEY(model.n_experts, "experts per MoE layer"),
      MOSE_RECIPE_KEY(model.d_ff, "expert hidden size at width 1.0"),
      MOSE_RECIPE_KEY(model.dense_d_ff, "hidden size of dense (non-MoE) FFN layers"),
      MOSE_RECIPE_KEY(model.moe_stride, "layer i is MoE when (i + 1) % moe_stride == 0"),
      MOSE_RECIPE_KEY(model.router.type, "router name from the router registry"),
      MOSE_RECIPE_KEY(model.router.top_k, "experts per token, 1 to n_experts"),
      MOSE_RECIPE_KEY(model.router.renormalize, "renormalise the gates over the chosen k"),
      MOSE_RECIPE_KEY(model.router.noise_std, "std of Gaussian noise on router logits in training"),
      MOSE_RECIPE_KEY(model.router.capacity_factor_train, "expert capacity factor in training; 0 = no dropping"),
      MOSE_RECIPE_KEY(model.router.capacity_factor_eval, "expert capacity factor in evaluation; 0 = no dropping"),
      MOSE_RECIPE_KEY(model.router.balance_loss_coef, "Switch load-balancing loss weight"),
      MOSE_RECIPE_KEY(model.router.z_loss_coef, "router z-loss weight (ST-MoE)"),
      MOSE_RECIPE_KEY(model.router.expert_capacity, "expert_choice: mean experts per token c (C = c * S / E)"),
      MOSE_RECIPE_KEY(model.router.granularity, "deepseek: each expert split into m of d_ff / m"),
      MOSE_RECIPE_KEY(model.router.shared_experts, "deepseek: always-on shared experts K_s"),
      MOSE_RECIPE_KEY(model.router.shared_slimmable, "deepseek: shared experts follow the routed width"),
      MOSE_RECIPE_KEY(model.router.top_p, "top_p: probability mass the chosen experts reach (cap top_k)"),
      MOSE_RECIPE_KEY(model.router.entropy_loss_coef, "top_p: router-entropy regulariser weight"),
      MOSE_RECIPE_KEY(model.router.null_experts, "null_experts: zero-compute experts added"),
      MOSE_RECIPE_KEY(model.router.null_target, "null_experts: share of slots steered to null experts"),
      MOSE_RECIPE_KEY(model.router.null_loss_coef, "null_experts: weight of the null-usage loss"),
      MOSE_RECIPE_KEY(model.router.k_min, "random_k: smallest k drawn in training"),
      MOSE_RECIPE_KEY(model.router.k_max, "random_k: largest k drawn in training"),
      MOSE_RECIPE_KEY(model.router.k_granularity, "random_k: \"batch\" or \"layer\""),
      MOSE_RECIPE_KEY(model.router.soft_alpha, "soft_topk: Laplace scale on standardised logits"),
      MOSE_RECIPE_KEY(model.router.soft_threshold, "soft_topk: experts below this soft weight do not run"),
      MOSE_RECIPE_KEY(model.router.learn_k, "soft_topk: learn k per layer (mean fixed to top_k)"),
      MOSE_RECIPE_KEY(train.steps, "optimizer steps"),
      MOSE_RECIPE_KEY(train.batch_size, "sequences per micro-batch"),
      MOSE_RECIPE_KEY(train.grad_accum, "micro-batches per optimizer step"),
      MOSE_RECIPE_KEY(train.seed, "seed of initialisation, batches and width sampling"),
      MOSE_RECIPE_KEY(train.bf16_autocast, "bf16 autocast on CUDA (CPU runs fp32)"),
      MOSE_RECIPE_KEY(train.optim.lr, "peak learning rate"),
      MOSE_RECIPE_KEY(train.optim.min_lr_ratio, "final lr = lr * min_lr_ratio"),
      MOSE_RECIPE_KEY(train.optim.warmup_steps, "linear warm-up steps"),
      MOSE_RECIPE_KEY(train.optim.schedule, "\"cosine\", \"linear\" or \"constant\""),
      MOSE_RECIPE_KEY(train.optim.weight_decay, "AdamW weight decay on matrices"),
      MOSE_RECIPE_KEY(train.optim.beta1, "AdamW beta1"),
      MOSE_RECIPE_KEY(train.optim.beta2, "AdamW beta2"),
      MOSE_RECIPE_KEY(train.optim.eps, "AdamW epsilon"),
      MOSE_RECIPE_KEY(train.optim.grad_clip, "gradient-norm clip; 0 = off"),
      MOSE_RECIPE_KEY(train.width.widths, "training widths W, increasing, ending at 1.0; [1.0] = standard MoE"),
      MOSE_RECIPE_KEY(train.width.sampler, "\"all\", \"sandwich\" or \"random\""),
      MOSE_RECIPE_KEY(train.width.sandwich_random, "sandwich: random widths besides the largest and smallest"),
      MOSE_RECIPE_KEY(train.width.granularity, "\"step\", \"layer\", \"expert\" or \"token\""),
      MOSE_RECIPE_KEY(train.width.distill, "in-place distillation from the widest pass"),
      MOSE_RECIPE_KEY(train.width.distill_weight, "slim loss = (1 - a) * CE + a * KL(full || slim)"),
      MOSE_RECIPE_KEY(train.device, "\"auto\", \"cpu\", \"cuda\" or \"cuda:N\""),
      MOSE_RECIPE_KEY(train.log_every, "steps between log lines"),
      MOSE_RECIPE_KEY(train.checkpoint_every, "steps between checkpoints; 0 = at the end only"),
      MOSE_RECIPE_KEY(eval.tokens, "validation tokens per evaluation"),
      MOSE_RECIPE_KEY(eval.batch_size, "sequences per evaluation batch"),
      MOSE_RECIPE_KEY(eval.tasks, "zero-shot task files (.jsonl multiple choice, .txt last word) scored per policy"),
  };
}

#undef MOSE_RECIPE_KEY

void insert_nested(JsonValue::Object& root, std::string_view dotted, JsonValue value) {
  JsonValue::Object* object = &root;
  std::size_t start = 0;
  for (std::size_t dot = dotted.find('.'); dot != std::string_view::npos; dot = dotted.find('.', start)) {
    const std::string segment(dotted.substr(start, dot - start));
    auto it = std::find_if(object->begin(), object->end(), [&](const auto& member) { return member.first == segment; });
    if (it == object->end()) {
      object->emplace_back(segment, JsonValue(JsonValue::Object{}));
      it = object->end() - 1;
    }
    object = &it->second.as_object();
    start = dot + 1;
  }
  object->emplace_back(std::string(dotted.substr(start)), std::move(value));
}

}  // namespace

const std::vector<RecipeKey>& recipe_keys() {
  static const std::vector<RecipeKey> keys = build_keys();
  return keys;
}

const RecipeKey* find_recipe_key(std::string_view key) {
  for (const RecipeKey& candidate : recipe_keys()) {
    if (candidate.key == key) return &candidate;
  }
  return nullptr;
}

std::vector<std::string> recipe_key_names(std::string_view prefix) {
  std::vector<std::string> names;
  for (const RecipeKey& key : recipe_keys()) {
    if (key.key.starts_with(prefix)) names.push_back(key.key);
  }
  return names;
}

std::string kind_expectation(ValueKind kind) {
  switch (kind) {
    case ValueKind::kInteger: return "an integer";
    case ValueKind::kFloat: return "a number";
    case ValueKind::kBool: return "a boolean (true or false)";
    case ValueKind::kString: return "a string";
    case ValueKind::kFloatList: return "an array of numbers";
    case ValueKind::kStringList: return "an array of strings";
  }
  return "a value";
}

JsonValue config_json(const core::RunConfig& config) {
  JsonValue::Object root;
  for (const auto& [key, text] : core::config_entries(config)) {
    const RecipeKey* row = find_recipe_key(key);
    insert_nested(root, key, row != nullptr ? row->get(config) : JsonValue(text));
  }
  return JsonValue(std::move(root));
}

std::string value_text(const JsonValue& value) {
  return value.is_string() ? value.as_string() : to_canonical_json(value);
}

}  // namespace mose::study
