// The model-factory registry (see language_model.h).
#include "core/model/language_model.h"

namespace mose::core::model {

spec::Registry<ModelFactory>& model_factories() {
  static spec::Registry<ModelFactory> registry("model family", "model.family");
  return registry;
}

std::shared_ptr<LanguageModel> make_model(const spec::ModelConfig& config, uint64_t seed) {
  return model_factories().at(config.family).make(config, seed);
}

}  // namespace mose::core::model
