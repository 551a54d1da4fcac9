// The model-family registry (see model_family.h).
#include "core/spec/model_family.h"

#include "core/spec/config.h"

namespace mose::core::spec {

Registry<ModelFamily>& model_families() {
  static Registry<ModelFamily> registry("model family", "model.family");
  return registry;
}

const ModelFamily& model_family(const ModelConfig& model) { return model_families().at(model.family); }

}  // namespace mose::core::spec
