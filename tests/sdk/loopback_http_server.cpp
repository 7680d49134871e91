#include "loopback_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>

#include "gzip_inflate.hpp"

namespace agentsudo::testing {
namespace {

constexpr int kPollMillis = 20;

int listen_on_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  socklen_t length = sizeof address;
  if (::bind(fd, generic, length) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, generic, &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(address.sin_port);
  return fd;
}

// Waits for `fd` to be readable; false on timeout.
bool readable(int fd) {
  pollfd poll_fd{fd, POLLIN, 0};
  return ::poll(&poll_fd, 1, kPollMillis) > 0;
}

std::string lowercase(std::string text) {
  for (char& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Parses the head of a request (request line and headers).
LoopbackHttpServer::Request parse_head(const std::string& head) {
  LoopbackHttpServer::Request request;
  std::size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  std::size_t first_space = request_line.find(' ');
  std::size_t second_space = request_line.find(' ', first_space + 1);
  request.method = request_line.substr(0, first_space);
  request.target = request_line.substr(first_space + 1, second_space - first_space - 1);
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string::npos)
      end = head.size();
    std::string line = head.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::size_t value_start = line.find_first_not_of(' ', colon + 1);
      request.headers[lowercase(line.substr(0, colon))] =
          value_start == std::string::npos ? "" : line.substr(value_start);
    }
    pos = end + 2;
  }
  return request;
}

std::string render(const LoopbackHttpServer::Response& response) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
  out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers)
    out += name + ": " + value + "\r\n";
  return out + "\r\n" + response.body;
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

LoopbackHttpServer::Response LoopbackHttpServer::store_all(const Request& request) {
  std::size_t stored = boost::json::parse(request.body).as_array().size();
  return Response{.status = 200,
                  .body = R"({"stored": )" + std::to_string(stored) + "}",
                  .headers = {},
                  .hang_up = false};
}

LoopbackHttpServer::LoopbackHttpServer(Responder responder) : responder_(std::move(responder)) {
  listen_fd_ = listen_on_loopback(port_);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stopping_ = true;
  accept_thread_.join();
  for (std::thread& thread : connection_threads_)
    thread.join();
  ::close(listen_fd_);
}

std::string LoopbackHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

std::vector<LoopbackHttpServer::Request> LoopbackHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool LoopbackHttpServer::wait_for_requests(std::size_t count,
                                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return request_arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void LoopbackHttpServer::accept_loop() {
  while (!stopping_) {
    if (!readable(listen_fd_))
      continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0)
      continue;
    int connection = connections_++;
    connection_threads_.emplace_back([this, fd, connection] { serve_connection(fd, connection); });
  }
}

void LoopbackHttpServer::serve_connection(int fd, int connection) {
  std::string buffer;
  char chunk[4096];
  while (!stopping_) {
    std::size_t head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      Request request = parse_head(buffer.substr(0, head_end));
      std::size_t body_length = std::stoul(
          request.headers.count("content-length") ? request.headers["content-length"] : "0");
      if (buffer.size() >= head_end + 4 + body_length) {
        request.wire_body = buffer.substr(head_end + 4, body_length);
        auto encoding = request.headers.find("content-encoding");
        request.body = encoding != request.headers.end() && encoding->second == "gzip"
                           ? inflate_gzip(request.wire_body)
                           : request.wire_body;
        request.connection = connection;
        buffer.erase(0, head_end + 4 + body_length);
        Response response = responder_(request);
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(std::move(request));
        }
        request_arrived_.notify_all();
        if (response.hang_up || !send_all(fd, render(response)))
          break;
        continue;
      }
    }
    if (!readable(fd))
      continue;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      break;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
}

int unused_loopback_port() {
  int port = 0;
  int fd = listen_on_loopback(port);
  ::close(fd);
  return port;
}

}  // namespace agentsudo::testing
