#pragma once
// Email of the notification service: a message composed as RFC 5322 / MIME
// text (Russian subjects and names as RFC 2047 encoded words, a plain-text
// and an HTML part, a Message-ID derived from the notification id), and two
// ways to send it — an SMTP server through libcurl (TABEL_SMTP_URL), or a
// folder of .eml files (TABEL_MAIL_DIR) when none is configured.
//
//   notification::SmtpMailer mailer({.url = "smtp://127.0.0.1:2525"});
//   mailer.Send(message);   // blocks: run it on a worker thread
//
// Thread-safety: ComposeMessage and the helpers are pure; a Mailer is safe
// from any thread (each Send uses its own curl handle or file).
// Errors: Send throws Error::Unavailable when the message could not be
// handed over but may be later (the server is down, slow, or answers 4xx),
// and MailRejected when the server refuses it for good (5xx: a bad
// recipient, the message itself) — retrying would not help.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tabel::notification {

struct Address {
  std::string email;  // "ivanov@bank.example"
  std::string name;   // "Иванов Иван", may be empty
};

struct MailMessage {
  // Without angle brackets: "<notification id>@<domain>" (MessageIdOf).
  std::string message_id;
  Address from;
  Address to;
  std::string subject;  // UTF-8
  std::string text;     // the plain-text part, UTF-8
  std::string html;     // the HTML part, UTF-8; empty: plain text only
  // For optional mails: List-Unsubscribe (RFC 2369) and its one-click POST
  // (RFC 8058).
  std::optional<std::string> unsubscribe_url;
};

// "<notification_id>@<domain>": the same notification always has the same
// Message-ID, so a mail sent twice is one message to the receiving side.
std::string MessageIdOf(std::string_view notification_id, std::string_view domain);

// A header value as RFC 2047 encoded words ("=?UTF-8?B?…?=", each at most
// 75 characters, cut between characters, folded with CRLF SP) when it holds
// anything but printable ASCII; as it is otherwise. CR, LF and other
// control characters become spaces first: no header can be injected.
std::string EncodeHeaderText(std::string_view text);

// The whole message as sent over SMTP: headers (Date, From, To, Subject,
// Message-ID, MIME-Version, List-Unsubscribe …) and a multipart/alternative
// body of the text and HTML parts (or a single text part), each UTF-8 in
// base64 lines of 76 characters; every line ends with CRLF.
std::string ComposeMessage(const MailMessage& message, std::chrono::system_clock::time_point date);

// A permanent refusal by the mail server (5xx), with its reply.
class MailRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Hands `message` over (see the errors above). Blocks.
  virtual void Send(const MailMessage& message) = 0;
};

// The longest an SMTP conversation may last, message included, by default.
inline constexpr std::chrono::milliseconds kSmtpTimeout{30000};

struct SmtpOptions {
  // smtp://[user:password@]host:port (STARTTLS when the server offers it,
  // required with require_tls) or smtps://… (TLS from the start).
  std::string url;
  bool require_tls = false;
  std::chrono::milliseconds connect_timeout{5000};
  // The whole conversation, message included.
  std::chrono::milliseconds timeout = kSmtpTimeout;
};

// Keeps the connections of its last sends open and sends the next mails
// over them (one SMTP session for many mails); a connection that failed is
// closed, and one the server closed meanwhile is opened again.
class SmtpMailer : public Mailer {
 public:
  explicit SmtpMailer(SmtpOptions options);
  ~SmtpMailer() override;
  SmtpMailer(const SmtpMailer&) = delete;
  SmtpMailer& operator=(const SmtpMailer&) = delete;
  void Send(const MailMessage& message) override;

  // The most connections kept open between sends.
  static constexpr size_t kMaxIdleConnections = 16;

 private:
  struct Idle;  // curl handles with their open connections
  SmtpOptions options_;
  std::unique_ptr<Idle> idle_;
};

// Writes each message to <dir>/<message id>.eml (written to a temporary
// name, then renamed: a reader never sees half a file). The same message
// twice is one file. Creates the folder when it is missing.
class MailDirMailer : public Mailer {
 public:
  explicit MailDirMailer(std::filesystem::path dir);
  void Send(const MailMessage& message) override;

 private:
  std::filesystem::path dir_;
};

}  // namespace tabel::notification
