#include "infra/bus/amqp_connection.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <utility>

#include "infra/bus/backoff.hpp"

namespace tabel::bus {
namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

constexpr amqp_channel_t kChannel = 1;
constexpr size_t kMaxPrefixLength = 60;
constexpr const char* kAttemptHeader = "tabel-attempt";
constexpr const char* kHeadersHeader = "tabel-headers";
constexpr const char* kErrorHeader = "tabel-error";

amqp_bytes_t Bytes(const std::string& text) { return {text.size(), const_cast<char*>(text.data())}; }

std::string Text(const amqp_bytes_t& bytes) {
  if (bytes.len == 0 || bytes.bytes == nullptr) return {};
  return {static_cast<const char*>(bytes.bytes), bytes.len};
}

timeval ToTimeval(milliseconds duration) {
  const long long ms = std::max<long long>(duration.count(), 0);
  return {static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// The parsed URL; `buffer` holds the strings `info` points into.
struct ParsedUrl {
  std::vector<char> buffer;
  amqp_connection_info info{};
};

ParsedUrl ParseUrl(const std::string& url) {
  ParsedUrl parsed;
  parsed.buffer.assign(url.begin(), url.end());
  parsed.buffer.push_back('\0');
  amqp_default_connection_info(&parsed.info);
  if (amqp_parse_url(parsed.buffer.data(), &parsed.info) != AMQP_STATUS_OK) {
    throw std::invalid_argument("the AMQP URL is malformed");
  }
  return parsed;
}

// The text of a refused RPC: the broker's close reason, or the library's.
std::string ReplyText(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        const auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by the broker: " + std::to_string(close->reply_code) + " " +
               Text(close->reply_text);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by the broker: " + std::to_string(close->reply_code) + " " +
               Text(close->reply_text);
      }
      return "refused by the broker";
  }
  return "unknown reply";
}

int IntegerField(const amqp_field_value_t& value, int fallback) {
  switch (value.kind) {
    case AMQP_FIELD_KIND_I8:
      return value.value.i8;
    case AMQP_FIELD_KIND_U8:
      return value.value.u8;
    case AMQP_FIELD_KIND_I16:
      return value.value.i16;
    case AMQP_FIELD_KIND_U16:
      return value.value.u16;
    case AMQP_FIELD_KIND_I32:
      return value.value.i32;
    case AMQP_FIELD_KIND_U32:
      return static_cast<int>(std::min<uint32_t>(value.value.u32, 1'000'000));
    case AMQP_FIELD_KIND_I64:
      return static_cast<int>(std::clamp<int64_t>(value.value.i64, -1, 1'000'000));
    case AMQP_FIELD_KIND_U64:
      return static_cast<int>(std::min<uint64_t>(value.value.u64, 1'000'000));
    default:
      return fallback;
  }
}

// Copies the delivery's properties into `delivery`.
void ReadProperties(const amqp_basic_properties_t& properties, AmqpDelivery& delivery) {
  if ((properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0)
    delivery.message_id = Text(properties.message_id);
  if ((properties._flags & AMQP_BASIC_TYPE_FLAG) != 0 && properties.type.len > 0) {
    delivery.topic = Text(properties.type);
  }
  if ((properties._flags & AMQP_BASIC_HEADERS_FLAG) == 0) return;
  for (int i = 0; i < properties.headers.num_entries; ++i) {
    const amqp_table_entry_t& entry = properties.headers.entries[i];
    const std::string key = Text(entry.key);
    if (key == kAttemptHeader) {
      delivery.attempt = std::max(1, IntegerField(entry.value, 1));
    } else if (key == kHeadersHeader &&
               (entry.value.kind == AMQP_FIELD_KIND_UTF8 || entry.value.kind == AMQP_FIELD_KIND_BYTES)) {
      delivery.headers = Text(entry.value.value.bytes);
      if (delivery.headers.empty()) delivery.headers = "{}";
    } else if (key == kErrorHeader &&
               (entry.value.kind == AMQP_FIELD_KIND_UTF8 || entry.value.kind == AMQP_FIELD_KIND_BYTES)) {
      delivery.error = Text(entry.value.value.bytes);
    }
  }
}

bool ValidPrefix(const std::string& prefix) {
  return !prefix.empty() && prefix.size() <= kMaxPrefixLength && IsValidBusName(prefix);
}

}  // namespace

void ValidateAmqpOptions(const AmqpOptions& options) {
  if (options.url.empty()) throw std::invalid_argument("the AMQP URL is empty");
  const ParsedUrl parsed = ParseUrl(options.url);
  if (parsed.info.ssl != 0) throw std::invalid_argument("amqps URLs are not supported yet: use amqp://");
  if (!ValidPrefix(options.prefix)) {
    throw std::invalid_argument("the AMQP name prefix must be 1-60 characters of [a-z0-9_.-]");
  }
  if (options.prefetch < 1 || options.prefetch > 100) {
    throw std::invalid_argument("the AMQP prefetch must be from 1 to 100");
  }
  if (options.heartbeat < std::chrono::seconds{1} || options.heartbeat > std::chrono::seconds{600}) {
    throw std::invalid_argument("the AMQP heartbeat must be from 1 to 600 s");
  }
  if (options.connect_timeout < milliseconds{100} || options.connect_timeout > milliseconds{60000}) {
    throw std::invalid_argument("the AMQP connect timeout must be from 100 ms to 60 s");
  }
  if (options.confirm_timeout < milliseconds{100} || options.confirm_timeout > milliseconds{120000}) {
    throw std::invalid_argument("the AMQP confirm timeout must be from 100 ms to 120 s");
  }
}

std::string AmqpNames::Exchange(std::string_view prefix) { return std::string(prefix) + ".events"; }

std::string AmqpNames::WorkQueue(std::string_view prefix, std::string_view queue) {
  return std::string(prefix) + "." + std::string(queue);
}

std::string AmqpNames::DelayQueue(std::string_view prefix, std::string_view queue, milliseconds delay) {
  return WorkQueue(prefix, queue) + ".delay." + std::to_string(delay.count());
}

std::string AmqpNames::DeadQueue(std::string_view prefix, std::string_view queue) {
  return WorkQueue(prefix, queue) + ".dead";
}

std::vector<milliseconds> AmqpNames::DelayLevels(const QueueSpec& spec) {
  std::vector<milliseconds> levels;
  for (int attempt = 1; attempt < spec.max_attempts; ++attempt) {
    const milliseconds delay = ComputeBackoff(attempt, spec.base_backoff, spec.max_backoff, 0.0);
    if (!levels.empty() && levels.back() == delay) break;  // capped: every later retry waits as long
    levels.push_back(delay);
  }
  return levels;
}

AmqpConnection::AmqpConnection(const AmqpOptions& options) : options_(options) {
  const ParsedUrl parsed = ParseUrl(options_.url);
  connection_ = amqp_new_connection();
  if (connection_ == nullptr) throw AmqpError("cannot allocate an AMQP connection");
  try {
    amqp_socket_t* socket = amqp_tcp_socket_new(connection_);
    if (socket == nullptr) Fail("cannot create an AMQP socket");
    timeval timeout = ToTimeval(options_.connect_timeout);
    if (const int status = amqp_socket_open_noblock(socket, parsed.info.host, parsed.info.port, &timeout);
        status != AMQP_STATUS_OK) {
      Fail(std::string("AMQP connect failed: ") + amqp_error_string2(status));
    }
    // rabbitmq-c writes with no deadline (basic.publish waits as long as the
    // socket is not writable): let the kernel give up on unacknowledged
    // writes instead, and probe idle peers.
    const int fd = amqp_get_sockfd(connection_);
    const unsigned int user_timeout_ms = static_cast<unsigned int>(
        std::max<long long>(options_.connect_timeout.count(),
                            std::chrono::duration_cast<milliseconds>(options_.heartbeat).count() * 2));
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    amqp_set_handshake_timeout(connection_, &timeout);
    amqp_set_rpc_timeout(connection_, &timeout);
    const amqp_rpc_reply_t login = amqp_login(connection_, parsed.info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE,
                                              static_cast<int>(options_.heartbeat.count()),
                                              AMQP_SASL_METHOD_PLAIN, parsed.info.user, parsed.info.password);
    if (login.reply_type != AMQP_RESPONSE_NORMAL) Fail("AMQP login failed: " + ReplyText(login));
    amqp_channel_open(connection_, kChannel);
    Rpc("AMQP channel.open");
    amqp_confirm_select(connection_, kChannel);
    Rpc("AMQP confirm.select");
  } catch (...) {
    amqp_destroy_connection(connection_);
    connection_ = nullptr;
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  if (connection_ == nullptr) return;
  if (!broken_) {
    amqp_channel_close(connection_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(connection_);
}

void AmqpConnection::Fail(const std::string& what) {
  broken_ = true;
  throw AmqpError(what);
}

void AmqpConnection::Rpc(const char* what) {
  const amqp_rpc_reply_t reply = amqp_get_rpc_reply(connection_);
  amqp_maybe_release_buffers(connection_);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) Fail(std::string(what) + " failed: " + ReplyText(reply));
}

void AmqpConnection::DeclareTopology(const Topology& topology) {
  const std::string exchange = AmqpNames::Exchange(options_.prefix);
  const std::string topic_type = "topic";
  amqp_exchange_declare(connection_, kChannel, Bytes(exchange), Bytes(topic_type), 0, 1, 0, 0,
                        amqp_empty_table);
  Rpc("AMQP exchange.declare");
  const std::string default_exchange;
  const std::string dead_letter_exchange = "x-dead-letter-exchange";
  const std::string dead_letter_routing_key = "x-dead-letter-routing-key";
  for (const QueueSpec& spec : topology.queues()) {
    const std::string work = AmqpNames::WorkQueue(options_.prefix, spec.name);
    amqp_queue_declare(connection_, kChannel, Bytes(work), 0, 1, 0, 0, amqp_empty_table);
    Rpc("AMQP queue.declare");
    for (const std::string& topic : spec.topics) {
      amqp_queue_bind(connection_, kChannel, Bytes(work), Bytes(exchange), Bytes(topic), amqp_empty_table);
      Rpc("AMQP queue.bind");
    }
    std::array<amqp_table_entry_t, 2> entries{};
    entries[0].key = Bytes(dead_letter_exchange);
    entries[0].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[0].value.value.bytes = Bytes(default_exchange);
    entries[1].key = Bytes(dead_letter_routing_key);
    entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[1].value.value.bytes = Bytes(work);
    const amqp_table_t delay_arguments{static_cast<int>(entries.size()), entries.data()};
    for (const milliseconds delay : AmqpNames::DelayLevels(spec)) {
      const std::string name = AmqpNames::DelayQueue(options_.prefix, spec.name, delay);
      amqp_queue_declare(connection_, kChannel, Bytes(name), 0, 1, 0, 0, delay_arguments);
      Rpc("AMQP queue.declare (delay)");
    }
    const std::string dead = AmqpNames::DeadQueue(options_.prefix, spec.name);
    amqp_queue_declare(connection_, kChannel, Bytes(dead), 0, 1, 0, 0, amqp_empty_table);
    Rpc("AMQP queue.declare (dead)");
  }
}

void AmqpConnection::Consume(const std::vector<std::string>& queues, uint16_t prefetch) {
  amqp_basic_qos(connection_, kChannel, 0, prefetch, 1);
  Rpc("AMQP basic.qos");
  for (const std::string& queue : queues) {
    const std::string name = AmqpNames::WorkQueue(options_.prefix, queue);
    amqp_basic_consume(connection_, kChannel, Bytes(name), Bytes(name), 0, 0, 0, amqp_empty_table);
    Rpc("AMQP basic.consume");
  }
}

void AmqpConnection::Publish(const AmqpOutgoing& message) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const std::string attempt_key = kAttemptHeader;
  const std::string headers_key = kHeadersHeader;
  const std::string error_key = kErrorHeader;
  std::array<amqp_table_entry_t, 3> entries{};
  entries[0].key = Bytes(attempt_key);
  entries[0].value.kind = AMQP_FIELD_KIND_I32;
  entries[0].value.value.i32 = message.attempt;
  entries[1].key = Bytes(headers_key);
  entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
  entries[1].value.value.bytes = Bytes(message.headers);
  entries[2].key = Bytes(error_key);
  entries[2].value.kind = AMQP_FIELD_KIND_UTF8;
  entries[2].value.value.bytes = Bytes(message.error);

  const std::string content_type = "application/json";
  const std::string expiration = message.expiration ? std::to_string(message.expiration->count()) : "";
  amqp_basic_properties_t properties{};
  properties._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                      AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
  properties.content_type = Bytes(content_type);
  properties.delivery_mode = 2;
  properties.message_id = Bytes(message.message_id);
  properties.type = Bytes(message.topic);
  properties.headers = {message.error.empty() ? 2 : 3, entries.data()};
  if (message.expiration) {
    properties._flags |= AMQP_BASIC_EXPIRATION_FLAG;
    properties.expiration = Bytes(expiration);
  }
  const int status =
      amqp_basic_publish(connection_, kChannel, Bytes(message.exchange), Bytes(message.routing_key),
                         message.mandatory ? 1 : 0, 0, &properties, Bytes(message.body));
  if (status != AMQP_STATUS_OK) Fail(std::string("AMQP basic.publish failed: ") + amqp_error_string2(status));
  unconfirmed_.insert(next_publish_tag_++);
}

void AmqpConnection::WaitForConfirms(milliseconds timeout) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  while (!unconfirmed_.empty()) {
    if (!ReadFrame(deadline)) {
      Fail("no publisher confirm from the broker within " + std::to_string(timeout.count()) + " ms");
    }
  }
  const int nacked = std::exchange(nacked_, 0);
  const int returned = std::exchange(returned_, 0);
  if (nacked > 0) {
    throw AmqpError("the broker refused " + std::to_string(nacked) + " published message(s) (basic.nack)");
  }
  if (returned > 0) {
    throw AmqpError("the broker returned " + std::to_string(returned) + " message(s) no queue takes");
  }
}

std::optional<AmqpDelivery> AmqpConnection::Next(milliseconds timeout) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  while (deliveries_.empty()) {
    if (!ReadFrame(deadline)) return std::nullopt;
  }
  AmqpDelivery delivery = std::move(deliveries_.front());
  deliveries_.pop_front();
  return delivery;
}

void AmqpConnection::Ack(uint64_t delivery_tag) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const int status = amqp_basic_ack(connection_, kChannel, delivery_tag, 0);
  if (status != AMQP_STATUS_OK) Fail(std::string("AMQP basic.ack failed: ") + amqp_error_string2(status));
}

void AmqpConnection::Service() {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const SteadyTime now = std::chrono::steady_clock::now();
  while (ReadFrame(now)) {
  }
}

bool AmqpConnection::ReadFrame(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  timeval timeout = ToTimeval(left);
  amqp_frame_t frame{};
  const int status = amqp_simple_wait_frame_noblock(connection_, &frame, &timeout);
  if (status == AMQP_STATUS_TIMEOUT) return false;
  if (status != AMQP_STATUS_OK) Fail(std::string("AMQP connection lost: ") + amqp_error_string2(status));
  if (frame.frame_type != AMQP_FRAME_METHOD) {
    amqp_maybe_release_buffers(connection_);
    return true;  // a heartbeat, or content of a method handled below
  }
  const auto remove_confirmed = [this](uint64_t tag, bool multiple) {
    if (multiple) {
      unconfirmed_.erase(unconfirmed_.begin(), unconfirmed_.upper_bound(tag));
    } else {
      unconfirmed_.erase(tag);
    }
  };
  switch (frame.payload.method.id) {
    case AMQP_BASIC_ACK_METHOD: {
      const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
      remove_confirmed(ack->delivery_tag, ack->multiple != 0);
      break;
    }
    case AMQP_BASIC_NACK_METHOD: {
      const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
      const size_t before = unconfirmed_.size();
      remove_confirmed(nack->delivery_tag, nack->multiple != 0);
      nacked_ += static_cast<int>(before - unconfirmed_.size());
      break;
    }
    case AMQP_BASIC_DELIVER_METHOD: {
      const auto* deliver = static_cast<const amqp_basic_deliver_t*>(frame.payload.method.decoded);
      AmqpDelivery delivery;
      delivery.delivery_tag = deliver->delivery_tag;
      delivery.redelivered = deliver->redelivered != 0;
      delivery.consumer_tag = Text(deliver->consumer_tag);
      delivery.topic = Text(deliver->routing_key);
      amqp_message_t message{};
      const amqp_rpc_reply_t reply = amqp_read_message(connection_, frame.channel, &message, 0);
      if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        Fail("AMQP delivery unreadable: " + ReplyText(reply));
      }
      ReadProperties(message.properties, delivery);
      delivery.body = Text(message.body);
      amqp_destroy_message(&message);
      deliveries_.push_back(std::move(delivery));
      break;
    }
    case AMQP_BASIC_RETURN_METHOD: {
      // A mandatory publish no queue takes; its confirm follows.
      ++returned_;
      amqp_message_t message{};
      const amqp_rpc_reply_t reply = amqp_read_message(connection_, frame.channel, &message, 0);
      if (reply.reply_type != AMQP_RESPONSE_NORMAL)
        Fail("AMQP returned message unreadable: " + ReplyText(reply));
      amqp_destroy_message(&message);
      break;
    }
    case AMQP_CHANNEL_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
      const std::string why = std::to_string(close->reply_code) + " " + Text(close->reply_text);
      amqp_channel_close_ok_t ok{};
      amqp_send_method(connection_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      Fail("AMQP channel closed by the broker: " + why);
    }
    case AMQP_CONNECTION_CLOSE_METHOD: {
      const auto* close = static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
      const std::string why = std::to_string(close->reply_code) + " " + Text(close->reply_text);
      amqp_connection_close_ok_t ok{};
      amqp_send_method(connection_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
      Fail("AMQP connection closed by the broker: " + why);
    }
    case AMQP_BASIC_CANCEL_METHOD:
      Fail("AMQP consumer cancelled by the broker (its queue was deleted?)");
    default:
      break;
  }
  amqp_maybe_release_buffers(connection_);
  return true;
}

AmqpConnection::QueueCounts AmqpConnection::DeclarePassive(const std::string& queue) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const amqp_queue_declare_ok_t* ok =
      amqp_queue_declare(connection_, kChannel, Bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  const amqp_rpc_reply_t reply = amqp_get_rpc_reply(connection_);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL || ok == nullptr) {
    const std::string why = ReplyText(reply);
    amqp_maybe_release_buffers(connection_);
    Fail("AMQP queue.declare (passive) of " + queue + " failed: " + why);
  }
  const QueueCounts counts{.messages = ok->message_count, .consumers = ok->consumer_count};
  amqp_maybe_release_buffers(connection_);  // frees `ok`
  return counts;
}

std::optional<AmqpDelivery> AmqpConnection::Get(const std::string& queue) {
  if (broken_) throw AmqpError("the AMQP connection is broken");
  const amqp_rpc_reply_t reply = amqp_basic_get(connection_, kChannel, Bytes(queue), /*no_ack=*/0);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    const std::string why = ReplyText(reply);
    amqp_maybe_release_buffers(connection_);
    Fail("AMQP basic.get from " + queue + " failed: " + why);
  }
  if (reply.reply.id != AMQP_BASIC_GET_OK_METHOD) {
    amqp_maybe_release_buffers(connection_);
    return std::nullopt;  // basic.get-empty
  }
  const auto* ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
  AmqpDelivery delivery;
  delivery.delivery_tag = ok->delivery_tag;
  delivery.redelivered = ok->redelivered != 0;
  delivery.topic = Text(ok->routing_key);
  amqp_message_t message{};
  const amqp_rpc_reply_t read = amqp_read_message(connection_, kChannel, &message, 0);
  if (read.reply_type != AMQP_RESPONSE_NORMAL)
    Fail("AMQP message of basic.get unreadable: " + ReplyText(read));
  ReadProperties(message.properties, delivery);
  delivery.body = Text(message.body);
  amqp_destroy_message(&message);
  amqp_maybe_release_buffers(connection_);
  return delivery;
}

}  // namespace tabel::bus
