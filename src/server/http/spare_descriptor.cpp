#include "server/http/spare_descriptor.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace agentsudo::server::http {

SpareDescriptor::SpareDescriptor() {
  take();
}

SpareDescriptor::~SpareDescriptor() {
  if (descriptor_ >= 0)
    ::close(descriptor_);
}

void SpareDescriptor::take() {
  if (descriptor_ < 0)
    descriptor_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

std::size_t SpareDescriptor::refuse_waiting(int listener, std::size_t at_most) {
  take();  // a spare lost to a shortage earlier may be available again
  if (descriptor_ < 0)
    return 0;
  ::close(descriptor_);
  descriptor_ = -1;
  std::size_t refused = 0;
  while (refused < at_most) {
    int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0)
      break;  // none waiting (EAGAIN), or another thread took the freed slot
    ::close(connection);
    ++refused;
  }
  take();
  return refused;
}

}  // namespace agentsudo::server::http
