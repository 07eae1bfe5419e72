#include "notification/mail.hpp"

#include <array>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "infra/curl.hpp"

namespace tabel::notification {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// An encoded word is at most 75 characters: "=?UTF-8?B?" + base64 + "?="
// leaves 63 for base64, which holds 45 bytes (60 characters).
constexpr size_t kWordBytes = 45;
constexpr size_t kBodyLine = 76;

// Control characters (CR and LF above all) as spaces.
std::string WithoutControls(std::string_view text) {
  std::string clean(text);
  for (char& c : clean) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return clean;
}

bool IsPrintableAscii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  }
  return true;
}

// The length of the UTF-8 character that starts with `lead` (1 for a stray
// continuation byte, which then travels alone).
size_t CharLength(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

// "Name <email>", the name encoded or quoted as it needs.
std::string AddressText(const Address& address) {
  const std::string email = WithoutControls(address.email);
  if (address.name.empty()) return "<" + email + ">";
  const std::string name = WithoutControls(address.name);
  if (!IsPrintableAscii(name)) return EncodeHeaderText(name) + " <" + email + ">";
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\" <" + email + ">";
}

// RFC 5322 date in UTC: "Sat, 28 Nov 2026 17:25:16 +0000".
std::string DateText(std::chrono::system_clock::time_point date) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(date);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 40> text{};
  const size_t length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return {text.data(), length};
}

// `bytes` in base64 lines of kBodyLine characters, each ended by CRLF.
void AppendBase64Lines(std::string& out, std::string_view bytes) {
  const std::string encoded = Base64Encode(bytes);
  for (size_t i = 0; i < encoded.size(); i += kBodyLine) {
    out += std::string_view(encoded).substr(i, kBodyLine);
    out += kCrlf;
  }
}

void AppendPart(std::string& out, std::string_view content_type, std::string_view body) {
  out += "Content-Type: ";
  out += content_type;
  out += "; charset=utf-8";
  out += kCrlf;
  out += "Content-Transfer-Encoding: base64";
  out += kCrlf;
  out += kCrlf;
  AppendBase64Lines(out, body);
}

void AppendHeader(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += kCrlf;
}

// The message being uploaded, for CURLOPT_READFUNCTION.
struct Upload {
  std::string_view rest;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t length = std::min(size * count, upload->rest.size());
  upload->rest.copy(buffer, length);
  upload->rest.remove_prefix(length);
  return length;
}

}  // namespace

std::string MessageIdOf(std::string_view notification_id, std::string_view domain) {
  return std::string(notification_id) + "@" + std::string(domain);
}

std::string EncodeHeaderText(std::string_view text) {
  std::string clean = WithoutControls(text);
  if (IsPrintableAscii(clean)) return clean;
  std::string out;
  size_t start = 0;
  while (start < clean.size()) {
    size_t end = start;
    while (end < clean.size()) {
      const size_t next = end + CharLength(static_cast<unsigned char>(clean[end]));
      if (next - start > kWordBytes) break;
      end = std::min(next, clean.size());
    }
    if (!out.empty()) {
      out += kCrlf;
      out += ' ';
    }
    out += "=?UTF-8?B?" + Base64Encode(std::string_view(clean).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

std::string ComposeMessage(const MailMessage& message, std::chrono::system_clock::time_point date) {
  std::string out;
  out.reserve(1024 + (message.text.size() + message.html.size()) * 4 / 3);
  AppendHeader(out, "Date", DateText(date));
  AppendHeader(out, "From", AddressText(message.from));
  AppendHeader(out, "To", AddressText(message.to));
  AppendHeader(out, "Subject", EncodeHeaderText(message.subject));
  AppendHeader(out, "Message-ID", "<" + WithoutControls(message.message_id) + ">");
  if (message.unsubscribe_url) {
    AppendHeader(out, "List-Unsubscribe", "<" + WithoutControls(*message.unsubscribe_url) + ">");
    AppendHeader(out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  }
  AppendHeader(out, "MIME-Version", "1.0");
  if (message.html.empty()) {
    AppendPart(out, "text/plain", message.text);
    return out;
  }
  // The boundary is random per message: no body line can be taken for it.
  const std::string boundary = "=_tabel_" + NewUuid();
  AppendHeader(out, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += kCrlf;
  for (const auto& [type, body] : {std::pair<std::string_view, std::string_view>{"text/plain", message.text},
                                   {"text/html", message.html}}) {
    out += "--" + boundary;
    out += kCrlf;
    AppendPart(out, type, body);
  }
  out += "--" + boundary + "--";
  out += kCrlf;
  return out;
}

struct SmtpMailer::Idle {
  std::mutex mutex;
  std::vector<curl::Easy> handles;  // guarded by mutex
};

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)), idle_(std::make_unique<Idle>()) {
  curl::Initialise();
}

SmtpMailer::~SmtpMailer() = default;

void SmtpMailer::Send(const MailMessage& message) {
  const std::string text = ComposeMessage(message, std::chrono::system_clock::now());
  curl::Easy curl;
  {
    const std::lock_guard lock(idle_->mutex);
    if (!idle_->handles.empty()) {
      curl = std::move(idle_->handles.back());
      idle_->handles.pop_back();
    }
  }
  if (curl) {
    curl_easy_reset(curl.get());  // the options go; the open connection stays
  } else {
    curl.reset(curl_easy_init());
  }
  if (!curl) throw Error::Internal("curl_easy_init failed");
  const std::string from = "<" + WithoutControls(message.from.email) + ">";
  curl::List recipients(curl_slist_append(nullptr, ("<" + WithoutControls(message.to.email) + ">").c_str()));
  Upload upload{text};
  std::array<char, CURL_ERROR_SIZE> error{};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(handle, CURLOPT_USE_SSL, options_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(handle, CURLOPT_READDATA, &upload);
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error.data());
  const CURLcode result = curl_easy_perform(handle);
  if (result == CURLE_OK) {
    const std::lock_guard lock(idle_->mutex);
    if (idle_->handles.size() < kMaxIdleConnections) idle_->handles.push_back(std::move(curl));
    return;
  }
  long reply = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply);
  const std::string detail =
      curl::Describe(result, error.data()) + " (SMTP reply " + std::to_string(reply) + ")";
  if (reply >= 500 && reply < 600) throw MailRejected(detail);
  throw Error::Unavailable("The mail server did not take the message.", detail);
}

MailDirMailer::MailDirMailer(std::filesystem::path dir) : dir_(std::move(dir)) {}

void MailDirMailer::Send(const MailMessage& message) {
  // The file's name is the Message-ID's, kept to characters safe in paths.
  std::string name;
  for (const char c : message.message_id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '@';
    name += safe ? c : '_';
  }
  if (name.empty() || name.front() == '.') name.insert(0, "m");
  std::error_code failed;
  std::filesystem::create_directories(dir_, failed);
  if (failed)
    throw Error::Unavailable("The mail folder cannot be made.", dir_.string() + ": " + failed.message());
  const std::filesystem::path final_path = dir_ / (name + ".eml");
  const std::filesystem::path temporary = dir_ / ("." + name + "." + NewUuid() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << ComposeMessage(message, std::chrono::system_clock::now());
    out.flush();
    if (!out) {
      std::filesystem::remove(temporary, failed);
      throw Error::Unavailable("The mail file cannot be written.", temporary.string());
    }
  }
  std::filesystem::rename(temporary, final_path, failed);
  if (failed) {
    std::filesystem::remove(temporary, failed);
    throw Error::Unavailable("The mail file cannot be written.", final_path.string());
  }
}

}  // namespace tabel::notification
