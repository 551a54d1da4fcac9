#include "base/errors.h"

namespace mose {

std::string describe(const std::exception& error) {
  if (const auto* ours = dynamic_cast<const Error*>(&error)) {
    return std::string(ours->category()) + " error: " + ours->what();
  }
  return std::string("error: ") + error.what();
}

}  // namespace mose
