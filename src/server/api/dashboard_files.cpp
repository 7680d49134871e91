#include "server/api/dashboard_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "server/api/responses.hpp"

namespace agentsudo::server::api {
namespace fs = std::filesystem;

namespace {

// The dashboard loads everything from this server and is never framed.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; "
    "frame-ancestors 'none'";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// Larger than anything a dashboard build holds; a guard, not a feature.
constexpr std::uintmax_t kMaxFileBytes = 32 * 1024 * 1024;
constexpr std::string_view kAssetsPrefix = "/assets/";

struct TypeByExtension {
  std::string_view extension;
  std::string_view content_type;
};

constexpr std::array kContentTypes = {
    TypeByExtension{".html", "text/html; charset=utf-8"},
    TypeByExtension{".js", "text/javascript; charset=utf-8"},
    TypeByExtension{".mjs", "text/javascript; charset=utf-8"},
    TypeByExtension{".css", "text/css; charset=utf-8"},
    TypeByExtension{".json", "application/json"},
    TypeByExtension{".map", "application/json"},
    TypeByExtension{".webmanifest", "application/manifest+json"},
    TypeByExtension{".svg", "image/svg+xml"},
    TypeByExtension{".png", "image/png"},
    TypeByExtension{".ico", "image/x-icon"},
    TypeByExtension{".webp", "image/webp"},
    TypeByExtension{".woff2", "font/woff2"},
    TypeByExtension{".txt", "text/plain; charset=utf-8"},
};

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void set_security_headers(http::Response& response) {
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "same-origin");
  response.set("X-Frame-Options", "DENY");
}

bool accepts_html(const http::Request& request) {
  auto accept = request[http::Field::accept];
  return accept.find("text/html") != std::string_view::npos;
}

// Whether `inner` lies inside `outer` (both canonical).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto mismatch = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch.first == outer.end();
}

Result<std::string> read_file(const fs::path& file) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec)
    return make_error(ErrorKind::kNotFound, "no such file");
  if (size > kMaxFileBytes)
    return make_error(ErrorKind::kInternal, "a dashboard file is too large to serve");
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return make_error(ErrorKind::kInternal, "a dashboard file could not be opened");
  std::string contents(static_cast<std::size_t>(size), '\0');
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  contents.resize(static_cast<std::size_t>(in.gcount()));
  return contents;
}

}  // namespace

std::string_view content_type_for(const fs::path& file) {
  auto extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& entry : kContentTypes) {
    if (entry.extension == extension)
      return entry.content_type;
  }
  return "application/octet-stream";
}

Result<std::string> decode_path_segment(std::string_view segment) {
  std::string decoded;
  decoded.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      if (i + 2 >= segment.size())
        return make_error(ErrorKind::kNotFound, "malformed escape in the path");
      int high = hex_value(segment[i + 1]);
      int low = hex_value(segment[i + 2]);
      if (high < 0 || low < 0)
        return make_error(ErrorKind::kNotFound, "malformed escape in the path");
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0' || c == '/' || c == '\\')
      return make_error(ErrorKind::kNotFound, "the path names no file");
    decoded.push_back(c);
  }
  return decoded;
}

DashboardFiles::DashboardFiles(std::optional<fs::path> root) : root_(std::move(root)) {}

bool DashboardFiles::claims(const http::Request& request) {
  if (request.method() != http::Verb::get)
    return false;
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  return !path.starts_with("/api/") && path != "/api";
}

Result<fs::path> DashboardFiles::resolve(std::string_view url_path) const {
  const auto not_found = make_error(ErrorKind::kNotFound, "the path names no file");
  if (!url_path.starts_with('/') || url_path.ends_with('/'))
    return not_found;
  fs::path candidate = *root_;
  std::size_t start = 1;
  while (start <= url_path.size()) {
    std::size_t end = std::min(url_path.find('/', start), url_path.size());
    auto segment = decode_path_segment(url_path.substr(start, end - start));
    // Empty segments, ".", ".." and dot files never name a dashboard file.
    if (!segment || segment->empty() || segment->front() == '.')
      return not_found;
    candidate /= *segment;
    start = end + 1;
  }

  std::error_code ec;
  auto real_root = fs::canonical(*root_, ec);
  if (ec)
    return not_found;
  auto real_file = fs::canonical(candidate, ec);
  if (ec || !is_within(real_file, real_root) || !fs::is_regular_file(real_file, ec))
    return not_found;
  return real_file;
}

http::Response DashboardFiles::serve(const http::Request& request) const {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  unsigned version = request.version();
  if (!root_)
    return not_built(version);
  std::error_code ec;
  fs::path index = *root_ / "index.html";
  bool built = fs::is_regular_file(index, ec);

  if (path == "/" || path == "/index.html")
    return built ? file_response(index, false, version) : not_built(version);

  auto file = resolve(path);
  if (file)
    return file_response(*file, path.starts_with(kAssetsPrefix), version);
  // A missing asset is a missing asset, never the page; a page URL of the
  // app (a shared link) gets the page.
  if (!path.starts_with(kAssetsPrefix) && accepts_html(request))
    return built ? file_response(index, false, version) : not_built(version);
  auto response = error_response(
      make_error(ErrorKind::kNotFound, "no such file or route: " + std::string(path)), version);
  set_security_headers(response);
  return response;
}

http::Response DashboardFiles::file_response(const fs::path& file, bool immutable,
                                             unsigned version) const {
  auto contents = read_file(file);
  if (!contents) {
    auto response = error_response(contents.error(), version);
    set_security_headers(response);
    return response;
  }
  http::Response response{http::beast_http::status::ok, version};
  response.set(http::Field::content_type, content_type_for(file));
  response.set(http::Field::cache_control, immutable ? kImmutable : kRevalidate);
  set_security_headers(response);
  response.body() = std::move(*contents);
  return response;
}

http::Response DashboardFiles::not_built(unsigned version) const {
  http::Response response{http::beast_http::status::service_unavailable, version};
  response.set(http::Field::content_type, "text/plain; charset=utf-8");
  response.set(http::Field::cache_control, "no-store");
  set_security_headers(response);
  std::string where = root_ ? root_->string() : std::string("(no directory)");
  response.body() =
      "The AgentSudo dashboard is not built.\n\n"
      "Looked for index.html in: " +
      where +
      "\n\n"
      "Build it with `make build` (it runs the web build into build/web), or point the server\n"
      "at a built dashboard with `--web-dir DIR` or AGENTSUDO_WEB_DIR. The API under /api/\n"
      "works without it.\n";
  return response;
}

std::optional<fs::path> default_web_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return std::nullopt;
  auto prefix = exe.parent_path().parent_path();
  const std::array candidates = {prefix / "web", prefix / "share" / "agentsudo" / "web"};
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate / "index.html", ec))
      return candidate;
  }
  return candidates.front();
}

}  // namespace agentsudo::server::api
