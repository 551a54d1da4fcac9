#include "base/errors.h"

#include <string_view>

namespace mose {

std::string describe(const std::exception& error) {
  const auto* ours = dynamic_cast<const Error*>(&error);
  // A plain Error's category is "error" itself: "error: ...", not "error error: ...".
  if (ours != nullptr && std::string_view(ours->category()) != "error") {
    return std::string(ours->category()) + " error: " + ours->what();
  }
  return std::string("error: ") + error.what();
}

}  // namespace mose
