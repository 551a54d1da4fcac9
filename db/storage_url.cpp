#include "db/storage_url.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

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

// Where a PostgreSQL URL's parts are: user info [begin, at) when there is an '@',
// the query [query, end) when there is a '?'.
struct UrlParts {
  std::size_t userinfo = std::string::npos;  // first character after "://"
  std::size_t at = std::string::npos;        // the '@' ending the user info
  std::size_t query = std::string::npos;     // first character after '?'
};

UrlParts postgres_parts(const std::string& url) {
  UrlParts parts;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return parts;
  parts.userinfo = scheme_end + 3;
  const std::size_t authority_end = url.find_first_of("/?#", parts.userinfo);
  const std::size_t at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at != std::string::npos && at >= parts.userinfo) parts.at = at;
  const std::size_t question = url.find('?', parts.userinfo);
  if (question != std::string::npos) parts.query = question + 1;
  return parts;
}

bool is_postgres(const std::string& url) {
  try {
    return parse_storage_url(url).backend == Backend::kPostgres;
  } catch (const DbError&) {
    return false;
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding, as libpq applies it to every part of a URI.
std::string percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The query's key=value parameters, in order.
std::vector<std::string> query_parameters(const std::string& url, const UrlParts& parts) {
  std::vector<std::string> parameters;
  if (parts.query == std::string::npos) return parameters;
  const std::size_t end = std::min(url.find('#', parts.query), url.size());
  for (std::size_t begin = parts.query; begin < end;) {
    const std::size_t amp = std::min(url.find('&', begin), end);
    parameters.push_back(url.substr(begin, amp - begin));
    begin = amp + 1;
  }
  return parameters;
}

bool is_password_parameter(std::string_view parameter) { return parameter.starts_with("password="); }

}  // namespace

std::optional<std::string> url_password(const std::string& url) {
  if (!is_postgres(url)) return std::nullopt;
  const UrlParts parts = postgres_parts(url);
  for (const std::string& parameter : query_parameters(url, parts)) {
    if (is_password_parameter(parameter)) return percent_decoded(std::string_view(parameter).substr(9));
  }
  if (parts.at == std::string::npos) return std::nullopt;
  const std::size_t colon = url.find(':', parts.userinfo);
  if (colon == std::string::npos || colon > parts.at) return std::nullopt;
  return percent_decoded(std::string_view(url).substr(colon + 1, parts.at - colon - 1));
}

std::string url_without_password(const std::string& url) {
  if (!is_postgres(url)) return url;
  const UrlParts parts = postgres_parts(url);
  std::string out = url.substr(0, parts.query == std::string::npos ? url.size() : parts.query - 1);
  if (parts.at != std::string::npos) {
    const std::size_t colon = out.find(':', parts.userinfo);
    if (colon != std::string::npos && colon < parts.at) out.erase(colon, parts.at - colon);
  }
  std::vector<std::string> kept;
  for (const std::string& parameter : query_parameters(url, parts)) {
    if (!is_password_parameter(parameter)) kept.push_back(parameter);
  }
  for (std::size_t i = 0; i < kept.size(); ++i) out += (i == 0 ? "?" : "&") + kept[i];
  if (parts.query != std::string::npos) {
    if (const std::size_t hash = url.find('#', parts.query); hash != std::string::npos) out += url.substr(hash);
  }
  return out;
}

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
