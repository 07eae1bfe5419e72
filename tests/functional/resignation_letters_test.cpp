// Resignation letters over HTTP on the demo company: bad uploads answered
// with the field they got wrong, who may send and read a letter, a letter
// read by the agent end to end — a correct one becomes a dismissal request
// pending for hr, one with a date too early goes back to its author by mail
// — and hr's override. The letters are rendered at test time by
// tests/agent/generate.py (its dates are relative to today).
//
// The demo company (users/seed.cpp): employee (4) is Петров Иван Сергеевич,
// programmer in IT-DEV (3) under manager (2); Морозова (5) works there too;
// hr (12) processes every letter; manager2 heads RETAIL.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/date.hpp"
#include "support/days.hpp"
#include "support/demo_server.hpp"
#include "support/eventually.hpp"
#include "support/http_client.hpp"
#include "support/letters.hpp"

namespace tabel::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;

constexpr int64_t kEmployee = 4;
constexpr int64_t kMorozova = 5;
constexpr auto kReadTimeout = std::chrono::seconds(90);

Date Today() { return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()); }

std::filesystem::path MakeDir(const char* name) {
  std::string pattern = (std::filesystem::temp_directory_path() / name).string() + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// A multipart/form-data body as a browser sends it.
constexpr const char* kBoundary = "tabel-form-7f3a";
std::string Form(const std::vector<std::tuple<std::string, std::string, std::string>>& parts) {
  std::string body;
  for (const auto& [name, file_name, value] : parts) {
    body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (!file_name.empty())
      body += "; filename=\"" + file_name + "\"\r\nContent-Type: application/octet-stream";
    body += "\r\n\r\n" + value + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

const std::map<std::string, std::string> kFormHeaders = {
    {"Content-Type", std::string("multipart/form-data; boundary=") + kBoundary}};

class ResignationLetters : public ::testing::Test {
 protected:
  ResignationLetters()
      : mail_dir_(MakeDir("tabel-mail")),
        scratch_(MakeDir("tabel-letters")),
        // The server's today is the test's: the letters are dated with it.
        server_({{"TABEL_MAIL_DIR", mail_dir_.string()}, {"TABEL_TIMEZONE", "UTC"}}) {}
  ~ResignationLetters() override {
    std::filesystem::remove_all(mail_dir_);
    std::filesystem::remove_all(scratch_);
  }

  HttpResponse Upload(const std::string& login, const std::string& file,
                      std::optional<int64_t> employee_id = std::nullopt,
                      std::map<std::string, std::string> headers = kFormHeaders) {
    std::vector<std::tuple<std::string, std::string, std::string>> parts = {{"file", "letter.png", file}};
    if (employee_id) parts.emplace_back("employee_id", "", std::to_string(*employee_id));
    return server_.Call(login, "POST", "/api/v1/resignation-letters", Form(parts), std::move(headers));
  }

  json Get(const std::string& login, int64_t id, int status = 200) {
    const HttpResponse response =
        server_.Call(login, "GET", "/api/v1/resignation-letters/" + std::to_string(id));
    EXPECT_EQ(response.status, status) << response.body;
    return json::parse(response.body, nullptr, false);
  }

  // Waits until the agent decided the letter; its final state.
  json Decided(int64_t id) {
    const auto deadline = std::chrono::steady_clock::now() + kReadTimeout;
    json letter;
    do {
      letter = Get("hr", id);
      if (letter.value("status", "") != "processing") return letter;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "letter " << id << " still processing: " << letter.dump();
    return letter;
  }

  // Петров Иван Сергеевич's letter, dated today, to leave on `last_day`.
  std::string PetrovLetter(Date last_day, bool signature = true) {
    return RenderLetter(scratch_,
                        {.person = {"Петров", "Иван", "Сергеевич", "Петрова", "Ивана", "Сергеевича"},
                         .position = {"программист", "программиста"},
                         .department = "отдела разработки",
                         .dismissal_date = last_day,
                         .written_date = Today(),
                         .signature = signature});
  }

  std::filesystem::path mail_dir_, scratch_;
  DemoServer server_;
};

TEST_F(ResignationLetters, BadUploadsNameTheFieldAndStoreNothing) {
  const auto fields = [](const HttpResponse& response) { return ProblemFields(response); };
  // Not a form at all.
  HttpResponse response = server_.Call("employee", "POST", "/api/v1/resignation-letters", "{}");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("Content-Type"));
  // A form without a file, with an unknown field, with a bad employee id.
  response = server_.Call("employee", "POST", "/api/v1/resignation-letters", Form({{"note", "", "x"}}),
                          kFormHeaders);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("note", "file"));
  response = server_.Call("employee", "POST", "/api/v1/resignation-letters",
                          Form({{"file", "a.png", "x"}, {"employee_id", "", "abc"}}), kFormHeaders);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("employee_id"));
  // A malformed form.
  response = server_.Call("employee", "POST", "/api/v1/resignation-letters", "--tabel-form-7f3a\r\nbroken",
                          kFormHeaders);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("body"));
  // A file that is not a scan, whatever its name says; an empty one.
  response = Upload("employee", "%!PS-Adobe-3.0 not a letter");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("file"));
  response = Upload("employee", "");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("file"));
  // Over 20 MiB: refused by its Content-Length, before it is read (a client
  // with 21 MiB to send gets the answer after its headers); and by the file's
  // own size when the form around it still fits.
  {
    Connection connection(server_.port());
    ASSERT_TRUE(connection.Send(
        "POST /api/v1/resignation-letters HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: Bearer " +
        server_.Token("employee") + "\r\nContent-Type: " + kFormHeaders.at("Content-Type") +
        "\r\nContent-Length: " + std::to_string(size_t{21} << 20) + "\r\n\r\n--" + kBoundary + "\r\n"));
    const std::optional<HttpResponse> refused = connection.Read();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 413) << refused->body;
  }
  response = Upload("employee", "\x89PNG\r\n\x1a\n" + std::string((size_t{20} << 20) - 7, 'x'));
  EXPECT_EQ(response.status, 413) << response.body.substr(0, 300);
  // Six pages: refused at once, not read first; a PDF that does not open.
  std::string pdf =
      "%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n2 0 obj <</Type/Pages/Count 6/Kids[";
  for (int p = 3; p <= 8; ++p) pdf += std::to_string(p) + " 0 R ";
  pdf += "]>> endobj\n";
  for (int p = 3; p <= 8; ++p) {
    pdf += std::to_string(p) + " 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n";
  }
  pdf += "trailer <</Root 1 0 R>>\n%%EOF\n";
  response = Upload("employee", pdf);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("file"));
  EXPECT_THAT(response.body, ::testing::HasSubstr("6 pages"));
  response = Upload("employee", "%PDF-1.4 and nothing more");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_THAT(fields(response), ElementsAre("file"));
  // Bad query and path parameters.
  response = server_.Call("hr", "GET", "/api/v1/resignation-letters?status=lost");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(fields(response), ElementsAre("status"));
  response = server_.Call("hr", "GET", "/api/v1/resignation-letters/abc");
  EXPECT_EQ(response.status, 400);
  response = server_.Call("hr", "POST", "/api/v1/resignation-letters/1/reject", "{\"reason\": 5}");
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(fields(response), ElementsAre("reason"));
  // Nothing was stored.
  const json list = json::parse(server_.Call("hr", "GET", "/api/v1/resignation-letters").body);
  EXPECT_TRUE(list["items"].empty()) << list.dump();
}

TEST_F(ResignationLetters, OnlyTheAuthorAndHrSendAndReadALetter) {
  const std::string file = PetrovLetter(Today() + std::chrono::days(20));
  // Nobody sends a letter for someone he does not process letters for.
  EXPECT_EQ(Upload("employee", file, kMorozova).status, 404);
  EXPECT_EQ(Upload("manager", file, kEmployee).status, 404);
  EXPECT_EQ(Upload("admin", file).status, 400);  // no employee record: employee_id is required

  HttpResponse response = Upload("employee", file);
  ASSERT_EQ(response.status, 201) << response.body;
  const json letter = json::parse(response.body);
  const int64_t id = letter["id"];
  EXPECT_EQ(letter["status"], "processing");
  EXPECT_EQ(letter["employee_id"], kEmployee);
  EXPECT_EQ(letter["received_on"], FormatIsoDate(Today()));
  EXPECT_EQ(letter["file"]["media_type"], "image/png");
  EXPECT_FALSE(letter.contains("analysis")) << "the author does not see hr's analysis";

  EXPECT_EQ(Get("employee", id)["id"], id);
  EXPECT_TRUE(Get("hr", id).contains("analysis"));
  EXPECT_EQ(Get("auditor", id)["id"], id);
  for (const std::string login : {"manager", "manager2", "accountant", "admin"}) {
    Get(login, id, 404);
    EXPECT_EQ(
        server_.Call(login, "GET", "/api/v1/resignation-letters/" + std::to_string(id) + "/file").status, 404)
        << login;
  }
  // The file comes back as it was sent.
  response = server_.Call("employee", "GET", "/api/v1/resignation-letters/" + std::to_string(id) + "/file");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.body, file);
  // Lists: one's own; hr everyone's, with the analysis only hr sees.
  const auto items = [&](const std::string& login) {
    return json::parse(server_.Call(login, "GET", "/api/v1/resignation-letters").body)["items"];
  };
  const auto ids = [&](const std::string& login) {
    std::vector<int64_t> out;
    for (const json& item : items(login)) {
      out.push_back(item["id"]);
    }
    return out;
  };
  EXPECT_THAT(ids("employee"), ElementsAre(id));
  EXPECT_THAT(ids("hr"), ElementsAre(id));
  EXPECT_TRUE(ids("manager").empty());
  EXPECT_FALSE(items("employee").at(0).contains("analysis"));  // the author
  EXPECT_FALSE(items("auditor").at(0).contains("analysis"));   // reads letters, does not decide
  EXPECT_TRUE(items("hr").at(0).contains("analysis"));
  // Only hr decides: the author may not accept his own letter.
  EXPECT_EQ(server_.Call("employee", "POST", "/api/v1/resignation-letters/" + std::to_string(id) + "/accept")
                .status,
            403);
  // hr sends one for Морозова.
  response = Upload("hr", file, kMorozova);
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(json::parse(response.body)["employee_id"], kMorozova);
  Get("employee", json::parse(response.body)["id"], 404);
}

TEST_F(ResignationLetters, TheSameKeySendsOneLetter) {
  const std::string file = PetrovLetter(Today() + std::chrono::days(20));
  std::map<std::string, std::string> headers = kFormHeaders;
  headers["Idempotency-Key"] = "letter-once";
  const HttpResponse first = Upload("employee", file, std::nullopt, headers);
  const HttpResponse second = Upload("employee", file, std::nullopt, headers);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(json::parse(first.body)["id"], json::parse(second.body)["id"]);
  EXPECT_EQ(second.headers.count("idempotent-replayed"), 1u);
}

TEST_F(ResignationLetters, ACorrectLetterBecomesADismissalPendingForHr) {
  const Date last_day = Today() + std::chrono::days(20);
  const HttpResponse response = Upload("employee", PetrovLetter(last_day));
  ASSERT_EQ(response.status, 201) << response.body;
  const json letter = Decided(json::parse(response.body)["id"]);
  ASSERT_EQ(letter["status"], "accepted") << letter.dump(2);
  EXPECT_TRUE(letter["problems"].empty());
  EXPECT_EQ(letter["fields"]["dismissal_date"], FormatIsoDate(last_day));
  EXPECT_EQ(letter["fields"]["written_date"], FormatIsoDate(Today()));
  EXPECT_TRUE(letter["fields"]["signed"]);
  EXPECT_EQ(letter["decided_by"], "agent");
  EXPECT_TRUE(letter["original_signature_required"]);
  ASSERT_TRUE(letter["request_id"].is_number());

  // The request: a dismissal on that day, waiting for hr, who sees it.
  const int64_t request_id = letter["request_id"];
  const json request =
      json::parse(server_.Call("hr", "GET", "/api/v1/requests/" + std::to_string(request_id)).body);
  EXPECT_EQ(request["type"], "dismissal");
  EXPECT_EQ(request["employee_id"], kEmployee);
  EXPECT_EQ(request["start_date"], FormatIsoDate(last_day));
  EXPECT_EQ(request["status"], "pending");
  EXPECT_THAT(request["comment"].get<std::string>(), ::testing::HasSubstr("оригинал"));
  std::vector<int64_t> queue;
  const json approvals = json::parse(server_.Call("hr", "GET", "/api/v1/approvals").body);
  for (const json& item : approvals["items"]) {
    queue.push_back(item["id"]);
  }
  EXPECT_THAT(queue, Contains(request_id));

  // hr rejects the letter after all: the request is rejected with it, and
  // the author is told why.
  const std::string target = "/api/v1/resignation-letters/" + std::to_string(letter["id"].get<int64_t>());
  const HttpResponse rejected =
      server_.Call("hr", "POST", target + "/reject", json{{"reason", "Нужен оригинал с подписью"}}.dump());
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(json::parse(rejected.body)["status"], "needs_corrections");
  EXPECT_EQ(
      json::parse(server_.Call("hr", "GET", "/api/v1/requests/" + std::to_string(request_id)).body)["status"],
      "rejected");
}

TEST_F(ResignationLetters, ALetterTooEarlyGoesBackToItsAuthorWithWhatToCorrect) {
  const HttpResponse response = Upload("employee", PetrovLetter(Today() + std::chrono::days(5)));
  ASSERT_EQ(response.status, 201) << response.body;
  const json letter = Decided(json::parse(response.body)["id"]);
  ASSERT_EQ(letter["status"], "needs_corrections") << letter.dump(2);
  std::vector<std::string> codes;
  for (const json& problem : letter["problems"]) codes.push_back(problem["code"]);
  EXPECT_THAT(codes, ElementsAre("dismissal_date_too_early"));
  EXPECT_TRUE(letter["request_id"].is_null());
  // The author's feed says so (and the mail, as every notification's).
  EXPECT_TRUE(Eventually(
      [&] {
        const json feed = json::parse(server_.Call("employee", "GET", "/api/v1/notifications").body);
        return std::any_of(feed["items"].begin(), feed["items"].end(), [](const json& item) {
          return item["event"] == "resignation_letter.needs_corrections";
        });
      },
      std::chrono::seconds(30), std::chrono::milliseconds(200)));
  // hr accepts it anyway: the request is made with the date of the letter.
  const std::string target = "/api/v1/resignation-letters/" + std::to_string(letter["id"].get<int64_t>());
  const HttpResponse accepted =
      server_.Call("hr", "POST", target + "/accept", json{{"comment", "по соглашению"}}.dump());
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["status"], "accepted");
  EXPECT_EQ(json::parse(accepted.body)["decided_by"], "hr");
  EXPECT_TRUE(json::parse(accepted.body)["request_id"].is_number());
  // Deciding again is a conflict.
  EXPECT_EQ(server_.Call("hr", "POST", target + "/accept").status, 409);
}

}  // namespace
}  // namespace tabel::testing
