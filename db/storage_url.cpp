#include "db/storage_url.h"

#include <cctype>
#include <string_view>

#include "base/errors.h"

namespace mose::db {
namespace {

constexpr std::string_view kAcceptedForms =
    "a plain file path (runs/mose.db), sqlite:///absolute/path.db, sqlite:relative/path.db, "
    "or postgresql://user@host/dbname";

[[noreturn]] void reject(const std::string& url, std::string_view why) {
  throw DbError("storage URL '" + url + "' " + std::string(why) + "; accepted forms: " + std::string(kAcceptedForms));
}

// RFC 3986 scheme: a letter, then letters, digits, '+', '-' or '.', then ':'.
// Single letters are not taken as schemes so that a path like "c:db" stays a path.
std::string_view scheme_of(std::string_view url) {
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon < 2) return {};
  if (!std::isalpha(static_cast<unsigned char>(url[0]))) return {};
  for (std::size_t i = 1; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return {};
  }
  return url.substr(0, colon);
}

// "sqlite:///abs" -> "/abs"; "sqlite:rel" -> "rel". "sqlite://host/x" names a
// host, which means nothing for a local file, so it is rejected.
std::string sqlite_path(const std::string& url) {
  std::string_view rest = std::string_view(url).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    if (!rest.starts_with("/")) reject(url, "names a host; use three slashes for an absolute path");
  }
  if (rest.empty()) reject(url, "has no file path");
  return std::string(rest);
}

}  // namespace

StorageUrl parse_storage_url(const std::string& url) {
  if (url.empty()) reject(url, "is empty");
  std::string scheme(scheme_of(url));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme.empty()) return {Backend::kSqlite, url};
  if (scheme == "sqlite") return {Backend::kSqlite, sqlite_path(url)};
  if (scheme == "postgresql" || scheme == "postgres") return {Backend::kPostgres, url};
  reject(url, "has unknown scheme '" + scheme + "'");
}

}  // namespace mose::db
