#pragma once
// The RabbitMQ side of the bus: connection settings, the names the topology
// takes on the broker, and one connection with one channel in
// publisher-confirm mode (rabbitmq-c 0.11). AmqpRelay (amqp_relay.hpp) and
// the consumer threads of a Worker with WorkerOptions::amqp (worker.hpp)
// each own one.
//
// Names on the broker, for a topology queue Q and AmqpOptions::prefix P:
//   P.events            durable topic exchange; the routing key is the topic
//   P.Q                 durable work queue, bound to P.events by each topic of Q
//   P.Q.delay.<ms>      durable delay queue of one backoff level: the
//                       unjittered delay min(base * 2^(n-1), max_backoff) of
//                       retry n, in milliseconds; dead-letters expired
//                       messages to P.Q (default exchange)
//   P.Q.dead            durable dead letters of Q
// Retries: a failed delivery of attempt n is published to the delay queue of
// level n with a per-message `expiration` of the jittered delay (backoff.hpp),
// which lies in [d * (1 - kBackoffJitter), d] for that level's d. RabbitMQ
// only expires messages at the head of a queue, but every message of a level
// entered it earlier than those behind it with an expiration of at most d,
// so none waits longer than d: one queue per level bounds head-of-line
// blocking while keeping the jitter.
//
// Message properties: delivery_mode 2 (persistent), content_type
// application/json, message_id = the outbox id, type = the topic; headers
// tabel-attempt (int, the delivery's attempt, absent = 1), tabel-headers
// (the outbox headers, a JSON object as text) and, on retries and dead
// letters, tabel-error (the last error).

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "infra/bus/topology.hpp"

struct amqp_connection_state_t_;

namespace tabel::bus {

struct AmqpOptions {
  // amqp://user:pass@host:port/vhost (/%2F is the default vhost "/"); empty =
  // the embedded queue. amqps is not supported yet.
  std::string url;
  // Prefix of every name on the broker (see above): [a-z0-9_.-], 1-60
  // characters. Deployments sharing a broker and vhost need different ones.
  std::string prefix = "tabel";
  // Unacknowledged deliveries per consumer thread (basic.qos, per channel):
  // 1-100.
  uint16_t prefetch = 2;
  // AMQP heartbeat, 1-600 s: a dead broker or network is noticed after about
  // two of them.
  std::chrono::seconds heartbeat{30};
  // TCP connect, login and each broker RPC (declarations, consume, close):
  // 100 ms - 60 s. Also the kernel's TCP_USER_TIMEOUT floor for writes.
  std::chrono::milliseconds connect_timeout{3000};
  // The longest wait for the publisher confirms of one batch: 100 ms - 120 s.
  std::chrono::milliseconds confirm_timeout{10000};
};

// Throws std::invalid_argument naming the first bad field (an unparsable or
// amqps URL included).
void ValidateAmqpOptions(const AmqpOptions& options);

// The names above; pure functions.
struct AmqpNames {
  static std::string Exchange(std::string_view prefix);
  static std::string WorkQueue(std::string_view prefix, std::string_view queue);
  static std::string DelayQueue(std::string_view prefix, std::string_view queue,
                                std::chrono::milliseconds delay);
  static std::string DeadQueue(std::string_view prefix, std::string_view queue);
  // The distinct unjittered delays of retries 1 .. max_attempts - 1 of
  // `spec`, ascending (empty when max_attempts is 1).
  static std::vector<std::chrono::milliseconds> DelayLevels(const QueueSpec& spec);
};

// A broker or connection failure; the connection that threw it is broken.
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A message to publish.
struct AmqpOutgoing {
  std::string exchange;  // "" = the default exchange (routing key = a queue name)
  std::string routing_key;
  std::string message_id;
  std::string topic;
  std::string body;
  std::string headers = "{}";  // the outbox headers (JSON object text)
  int attempt = 1;             // tabel-attempt
  std::string error;           // tabel-error; empty = absent
  // Per-message TTL (a retry in a delay queue); unset = none.
  std::optional<std::chrono::milliseconds> expiration;
  // True: a message no queue takes is returned, and WaitForConfirms fails
  // (a copy sent straight to a queue must not vanish).
  bool mandatory = false;
};

// A delivery, copied out of the library's buffers.
struct AmqpDelivery {
  uint64_t delivery_tag = 0;
  bool redelivered = false;
  std::string consumer_tag;  // the queue's name on the broker (Consume)
  std::string message_id;
  std::string topic;  // the type property, else the routing key
  std::string body;
  std::string headers = "{}";  // tabel-headers
  int attempt = 1;             // tabel-attempt, at least 1
  std::string error;           // tabel-error; empty if none
};

// One connection and channel 1, in confirm mode.
// Thread-safety: none; one owning thread (rabbitmq-c connections are not
// thread-safe). Heartbeats are sent and checked only inside the calls, so an
// owner busy for longer than a heartbeat calls Service() meanwhile.
// Errors: every call but the destructor throws AmqpError when the broker
// closes the channel or connection, a deadline passes or the socket fails;
// the connection is then broken() and only fit to be destroyed.
class AmqpConnection {
 public:
  // Connects, logs in, opens the channel and selects confirms, each within
  // options.connect_timeout. `options` must be valid (ValidateAmqpOptions).
  explicit AmqpConnection(const AmqpOptions& options);
  // Closes the channel and connection (the broker requeues unacknowledged
  // deliveries), each within connect_timeout; never throws.
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // Declares the exchange and, for every queue of `topology`, its work,
  // delay and dead queues and bindings (idempotent on the broker).
  void DeclareTopology(const Topology& topology);

  // basic.qos for the whole channel (global), then basic.consume with
  // manual acks on each of `queues` (topology names), consumer tag = the
  // queue's broker name.
  void Consume(const std::vector<std::string>& queues, uint16_t prefetch);

  // Publishes (mandatory false: a message no queue is bound to is dropped,
  // not an error). Confirmed later by WaitForConfirms.
  void Publish(const AmqpOutgoing& message);

  // Waits until the broker confirmed every message published so far, at
  // most `timeout`. Throws AmqpError if any was nacked or a mandatory one
  // returned (the connection then stays usable), or on the deadline or a
  // failure (broken).
  void WaitForConfirms(std::chrono::milliseconds timeout);

  // The next delivery of the consumed queues, waiting at most `timeout`;
  // nullopt when none came.
  std::optional<AmqpDelivery> Next(std::chrono::milliseconds timeout);

  // Acknowledges one delivery.
  void Ack(uint64_t delivery_tag);

  // Reads what the broker sent (buffering deliveries, recording confirms)
  // and sends a heartbeat when due, without waiting.
  void Service();

  bool broken() const { return broken_; }

 private:
  // Reads and handles at most one frame, waiting until `deadline`; false on
  // the deadline.
  bool ReadFrame(std::chrono::steady_clock::time_point deadline);
  void Rpc(const char* what);  // checks the reply of the last RPC
  [[noreturn]] void Fail(const std::string& what);

  AmqpOptions options_;
  amqp_connection_state_t_* connection_ = nullptr;
  bool broken_ = false;
  uint64_t next_publish_tag_ = 1;
  std::set<uint64_t> unconfirmed_;  // publish tags not yet acked or nacked
  int nacked_ = 0;                  // nacks since the last WaitForConfirms
  int returned_ = 0;                // returns since the last WaitForConfirms
  std::deque<AmqpDelivery> deliveries_;

  // ---- inspecting queues (the operator's view, ops/queue_transports.hpp) ----
 public:
  // What queue.declare-ok says of a queue: its ready messages (not those
  // delivered and not yet acknowledged) and its consumers.
  struct QueueCounts {
    uint32_t messages = 0;
    uint32_t consumers = 0;
  };

  // queue.declare passive of `queue` (a broker name): changes nothing. A
  // queue that does not exist closes the channel (404): AmqpError, broken.
  QueueCounts DeclarePassive(const std::string& queue);

  // basic.get without auto-ack from `queue` (a broker name): the message at
  // its head, which stays the channel's (invisible to other consumers) until
  // acked with Ack or the channel closes (the broker then puts it back in its
  // place); nullopt when the queue has none ready. consumer_tag is empty.
  std::optional<AmqpDelivery> Get(const std::string& queue);
};

}  // namespace tabel::bus
