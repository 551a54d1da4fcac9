#include "db/sql/params.h"

namespace mose::db::sql {

Params& Params::add(double value) {
  values_.push_back({ParamType::kReal, value});
  return *this;
}

Params& Params::add(std::string_view value) {
  values_.push_back({ParamType::kText, std::string(value)});
  return *this;
}

Params& Params::add_int64(std::int64_t value) {
  values_.push_back({ParamType::kInteger, value});
  return *this;
}

Params& Params::add_null(ParamType type) {
  values_.push_back({type, std::monostate{}});
  return *this;
}

}  // namespace mose::db::sql
