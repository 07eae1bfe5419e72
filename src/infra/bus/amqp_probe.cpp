#include "infra/bus/amqp_probe.hpp"

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace tabel::bus {
namespace {

struct ConnectionDeleter {
  void operator()(amqp_connection_state_t_* connection) const { amqp_destroy_connection(connection); }
};

void Check(const amqp_rpc_reply_t& reply, const char* what) {
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    throw std::runtime_error(std::string(what) + ": " + amqp_error_string2(reply.library_error));
  }
  throw std::runtime_error(std::string(what) + ": refused by the broker");
}

}  // namespace

void PingAmqp(const std::string& url, std::chrono::milliseconds timeout) {
  std::vector<char> buffer(url.begin(), url.end());
  buffer.push_back('\0');
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    throw std::invalid_argument("AMQP URL is malformed");
  }
  std::unique_ptr<amqp_connection_state_t_, ConnectionDeleter> connection(amqp_new_connection());
  amqp_socket_t* socket = amqp_tcp_socket_new(connection.get());
  if (socket == nullptr) throw std::runtime_error("cannot create an AMQP socket");
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  if (const int status = amqp_socket_open_noblock(socket, info.host, info.port, &tv);
      status != AMQP_STATUS_OK) {
    throw std::runtime_error(std::string("AMQP connect failed: ") + amqp_error_string2(status));
  }
  amqp_set_handshake_timeout(connection.get(), &tv);
  amqp_set_rpc_timeout(connection.get(), &tv);
  Check(amqp_login(connection.get(), info.vhost, 1, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN,
                   info.user, info.password),
        "AMQP login failed");
  amqp_channel_open(connection.get(), 1);
  Check(amqp_get_rpc_reply(connection.get()), "AMQP channel open failed");
  amqp_channel_close(connection.get(), 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(connection.get(), AMQP_REPLY_SUCCESS);
}

}  // namespace tabel::bus
