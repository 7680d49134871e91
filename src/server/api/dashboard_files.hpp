#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/message.hpp"
#include "server/model/error.hpp"

namespace agentsudo::server::api {

// Serves the dashboard's built files (index.html and assets/...) from one
// directory, with the security headers of docs/MANAGEMENT-API.md.
//
// - `/` and any path that names no file but asks for HTML answer index.html,
//   so the single-page app's own URLs can be shared (the SPA fallback).
// - Files under assets/ carry a content hash in their names: cached for a
//   year and immutable. Everything else is revalidated on every load.
// - A path can only reach regular files inside the directory: `..`, dot
//   files, encoded slashes and symbolic links leading out are refused.
//
// Reads files on every request (the dashboard is small and a rebuild shows
// up without a restart). Thread-safe: holds no mutable state.
class DashboardFiles {
 public:
  // `root` may be absent or not yet built: the answers then say so.
  explicit DashboardFiles(std::optional<std::filesystem::path> root);

  // Whether this handler answers a request that no API route matched: a GET
  // outside /api/.
  static bool claims(const http::Request& request);

  // The answer to a GET that `claims` accepted.
  http::Response serve(const http::Request& request) const;

  // The directory served, when one is configured.
  const std::optional<std::filesystem::path>& root() const { return root_; }

 private:
  // The file a URL path names inside root_, or NotFound. Never outside root_.
  Result<std::filesystem::path> resolve(std::string_view url_path) const;
  http::Response file_response(const std::filesystem::path& file, bool immutable,
                               unsigned version) const;
  http::Response not_built(unsigned version) const;

  std::optional<std::filesystem::path> root_;
};

// Where the dashboard is looked for when neither --web-dir nor
// AGENTSUDO_WEB_DIR says: `<dir of the executable>/../web` (the build tree's
// build/web), then `<dir of the executable>/../share/agentsudo/web` (an
// installed layout). Returns the first that holds an index.html, else the
// first candidate, so the "not built" page can name it.
std::optional<std::filesystem::path> default_web_dir();

// The Content-Type for a file name's extension.
std::string_view content_type_for(const std::filesystem::path& file);

// Percent-decodes a URL path. Fails on a malformed escape and on decoded
// bytes that a file path must never contain (NUL, '/', '\\').
Result<std::string> decode_path_segment(std::string_view segment);

}  // namespace agentsudo::server::api
