// Routing regime "deepseek" (core/spec/router_deepseek.h): the routed part is top-k token
// choice over the m*E - K_s fine-grained routed experts with k = m*top_k - K_s, so that
// with the K_s shared experts (run by MoeLayer) a token uses m*top_k fine experts: the
// compute of top_k full ones. Its expert-level balance loss is TopKRouter's Switch loss.
#include "core/model/topk_router.h"
#include "core/spec/router_deepseek.h"

namespace mose::core::model {
namespace {

std::shared_ptr<Router> make_deepseek_router(const spec::ModelConfig& model, at::Generator& init) {
  const spec::DeepseekRouting deepseek = spec::deepseek_routing(model.router);
  spec::RouterConfig routed = model.router;
  routed.top_k = deepseek.granularity * model.router.top_k - deepseek.shared_experts;
  return std::make_shared<TopKRouter>(routed, model.d_model, model.routed_experts(), init);
}

const spec::Registration<RouterFactory> kRegistered(router_factories(), {"deepseek", make_deepseek_router});

}  // namespace
}  // namespace mose::core::model
