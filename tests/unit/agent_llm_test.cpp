// The LLM extractor against a real HTTP server on loopback that speaks the
// OpenAI chat-completions protocol and answers from a script — wrong and
// invented fields included, which grounding and validation must catch.

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/pipeline.hpp"
#include "common/error.hpp"
#include "support/loopback.hpp"

namespace tabel::agent {
namespace {

using namespace std::chrono_literals;

struct Reply {
  int status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};
};

struct Request {
  std::string target, authorization;
  nlohmann::json body;
};

std::string Lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A chat-completions endpoint (POST /v1/chat/completions, HTTP/1.1, one
// request per connection) that gives the scripted replies in order, the last
// one again and again. Thread-safety: its own accept thread and a thread per
// connection; requests() from the test thread.
class ScriptedChatServer {
 public:
  explicit ScriptedChatServer(std::vector<Reply> script) : script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = testing::LoopbackAddress(0);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedChatServer() {
    stop_ = true;
    thread_.join();
    for (std::thread& connection : connections_) connection.join();
    ::close(listener_);
  }
  ScriptedChatServer(const ScriptedChatServer&) = delete;
  ScriptedChatServer& operator=(const ScriptedChatServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::vector<Request> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd ready{listener_, POLLIN, 0};
      if (::poll(&ready, 1, 50) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      // A connection of its own thread: a slow reply does not hold the next.
      connections_.emplace_back([this, fd] {
        Handle(fd);
        ::close(fd);
      });
    }
  }

  void Handle(int fd) {
    std::string data;
    char buffer[4096];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      data.append(buffer, size_t(n));
      header_end = data.find("\r\n\r\n");
    }
    const std::string head = Lower(data.substr(0, header_end));
    Request request;
    request.target = data.substr(data.find(' ') + 1, data.find(' ', data.find(' ') + 1) - data.find(' ') - 1);
    size_t content_length = 0;
    if (const size_t at = head.find("\r\ncontent-length:"); at != std::string::npos) {
      content_length = std::stoul(head.substr(at + 17));
    }
    if (const size_t at = head.find("\r\nauthorization:"); at != std::string::npos) {
      const size_t value = data.find_first_not_of(' ', at + 16);
      request.authorization = data.substr(value, data.find("\r\n", value) - value);
    }
    if (head.find("\r\nexpect: 100-continue") != std::string::npos) {
      const std::string go_on = "HTTP/1.1 100 Continue\r\n\r\n";
      ::send(fd, go_on.data(), go_on.size(), MSG_NOSIGNAL);
    }
    std::string body = data.substr(header_end + 4);
    while (body.size() < content_length) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      body.append(buffer, size_t(n));
    }
    request.body = nlohmann::json::parse(body, nullptr, false);
    Reply reply;
    {
      const std::lock_guard lock(mutex_);
      reply = script_[std::min(requests_.size(), script_.size() - 1)];
      requests_.push_back(std::move(request));
    }
    std::this_thread::sleep_for(reply.delay);
    const std::string response = "HTTP/1.1 " + std::to_string(reply.status) +
                                 " Scripted\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" +
                                 reply.body;
    ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  }

  std::vector<Reply> script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::vector<std::thread> connections_;  // the accept thread's
  std::thread thread_;
};

// A chat completion whose message is `fields` as JSON text.
Reply Answer(const nlohmann::json& fields) {
  const nlohmann::json completion = {
      {"id", "chatcmpl-1"},
      {"object", "chat.completion"},
      {"model", "test-model"},
      {"choices",
       {{{"index", 0},
         {"message", {{"role", "assistant"}, {"content", fields.dump()}}},
         {"finish_reason", "stop"}}}},
  };
  return {200, completion.dump()};
}

constexpr const char* kOcrText =
    "Генеральному директору\nАО «Северный банк»\nОрлову В. А.\n"
    "от ведущего специалиста\nотдела кредитования\nПетрова Петра Петровича\n\n"
    "ЗАЯВЛЕНИЕ\n\nПрошу уволить меня по собственному желанию\n16 декабря 2026 г.\n\n"
    "01.12.2026 ____ /П. П. Петров/\n";

nlohmann::json TrueFields() {
  return {{"addressee", "Генеральному директору АО «Северный банк» Орлову В. А."},
          {"employee_name", "Петрова Петра Петровича"},
          {"position", "ведущего специалиста"},
          {"department", "отдела кредитования"},
          {"wording", "Прошу уволить меня по собственному желанию"},
          {"dismissal_date", "16 декабря 2026 г."},
          {"written_date", "01.12.2026"},
          {"reason", nullptr}};
}

LlmOptions Options(const ScriptedChatServer& server) {
  LlmOptions options;
  options.url = server.url();
  options.model = "test-model";
  options.api_key = "secret-key";
  options.timeout_ms = 2000;
  options.backoff_ms = 1;
  return options;
}

const EmployeeRecord kPetrov{"Петров", "Пётр", "Петрович", "ведущий специалист", std::nullopt};

std::vector<std::string> Codes(const Decision& decision) {
  std::vector<std::string> codes;
  for (const Problem& problem : decision.problems) codes.push_back(problem.code);
  return codes;
}

TEST(AgentLlm, AsksForTheSchemaWithOnlyTheOcrTextAndReadsTheAnswer) {
  ScriptedChatServer server({Answer(TrueFields())});
  const ExtractedFields fields = MakeLlmExtractor(Options(server))->Extract(kOcrText);
  EXPECT_EQ(fields.employee_name, "Петрова Петра Петровича");
  EXPECT_EQ(fields.dismissal_date, "16 декабря 2026 г.");
  EXPECT_EQ(fields.reason, std::nullopt);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].target, "/v1/chat/completions");
  EXPECT_EQ(requests[0].authorization, "Bearer secret-key");
  const nlohmann::json& body = requests[0].body;
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["strict"], true);
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["required"].size(), 8U);
  ASSERT_EQ(body["messages"].size(), 2U);
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_EQ(body["messages"][1]["content"], kOcrText);

  const Decision decision = Validate(Ground(fields, kOcrText), true, kPetrov, *ParseIsoDate("2026-12-01"));
  EXPECT_TRUE(decision.problems.empty()) << Codes(decision).front();
}

TEST(AgentLlm, InventedAndWrongFieldsAreDroppedAndReportedMissing) {
  nlohmann::json answer = TrueFields();
  answer["employee_name"] = "Иванова Ивана Ивановича";  // nobody in the letter
  answer["dismissal_date"] = "20 декабря 2026 г.";      // not the letter's date
  answer["position"] = "главного бухгалтера";           // not the letter's position
  answer["reason"] = "в связи с выходом на пенсию";     // would allow an early date
  ScriptedChatServer server({Answer(answer)});
  const ExtractedFields fields = MakeLlmExtractor(Options(server))->Extract(kOcrText);
  const GroundedFields grounded = Ground(fields, kOcrText);
  EXPECT_EQ(grounded.dropped,
            (std::vector<std::string>{"employee_name", "position", "dismissal_date", "reason"}));
  const Decision decision = Validate(grounded, true, kPetrov, *ParseIsoDate("2026-12-01"));
  EXPECT_EQ(Codes(decision), (std::vector<std::string>{"missing_employee_name", "missing_position",
                                                       "missing_dismissal_date"}));
  EXPECT_EQ(decision.fields.employee_name, std::nullopt);
  EXPECT_EQ(decision.fields.dismissal_date, std::nullopt);
  EXPECT_EQ(decision.fields.written_date, ParseIsoDate("2026-12-01"));
}

TEST(AgentLlm, RetriesTooManyRequestsServerErrorsAndUnreadableAnswers) {
  const Reply unreadable{200, R"({"choices":[{"message":{"role":"assistant","content":"Вот поля: ..."}}]})"};
  ScriptedChatServer server({{429, R"({"error":"rate"})"}, {503, "busy"}, unreadable, Answer(TrueFields())});
  LlmOptions options = Options(server);
  options.attempts = 4;
  EXPECT_EQ(MakeLlmExtractor(options)->Extract(kOcrText).written_date, "01.12.2026");
  EXPECT_EQ(server.requests().size(), 4U);
}

TEST(AgentLlm, ATimeoutIsRetried) {
  Reply slow = Answer(TrueFields());
  slow.delay = 1500ms;
  ScriptedChatServer server({slow, Answer(TrueFields())});
  LlmOptions options = Options(server);
  options.timeout_ms = 300;
  EXPECT_EQ(MakeLlmExtractor(options)->Extract(kOcrText).position, "ведущего специалиста");
  EXPECT_EQ(server.requests().size(), 2U);
}

TEST(AgentLlm, AfterItsAttemptsTheEndpointIsUnavailable) {
  ScriptedChatServer server({{500, "down"}});
  LlmOptions options = Options(server);
  options.attempts = 3;
  try {
    MakeLlmExtractor(options)->Extract(kOcrText);
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
  }
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(AgentLlm, ARefusedRequestIsNotRetried) {
  ScriptedChatServer server({{401, R"({"error":"bad key"})"}});
  EXPECT_THROW(MakeLlmExtractor(Options(server))->Extract(kOcrText), Error);
  EXPECT_EQ(server.requests().size(), 1U);
}

TEST(AgentLlm, SamplesVotePerFieldAndAValueNeedsAMajority) {
  nlohmann::json other = TrueFields();
  other["employee_name"] = "Петрова П. П.";
  other["dismissal_date"] = "17 декабря 2026 г.";
  nlohmann::json third = TrueFields();
  third["dismissal_date"] = "18 декабря 2026 г.";
  ScriptedChatServer server({Answer(TrueFields()), Answer(other), Answer(third)});
  LlmOptions options = Options(server);
  options.samples = 3;
  const ExtractedFields fields = MakeLlmExtractor(options)->Extract(kOcrText);
  EXPECT_EQ(fields.employee_name, "Петрова Петра Петровича");  // two of three
  EXPECT_EQ(fields.dismissal_date, std::nullopt);              // three different answers
  EXPECT_EQ(fields.position, "ведущего специалиста");
  EXPECT_EQ(server.requests().size(), 3U);
  EXPECT_GT(server.requests()[0].body["temperature"].get<double>(), 0);
}

}  // namespace
}  // namespace tabel::agent
