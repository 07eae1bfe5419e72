#include "http/multipart.hpp"

#include <gtest/gtest.h>

#include "http/message.hpp"
#include "support/errors.hpp"

namespace tabel::http {
namespace {

using testing::CatchError;

Request Form(std::string body, std::string content_type = "multipart/form-data; boundary=XyZ") {
  Request request;
  request.headers.set("Content-Type", content_type);
  request.body = std::move(body);
  return request;
}

// What curl -F file=@letter.png -F employee_id=7 sends.
constexpr char kUploadBytes[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"letter.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n\0binary\r\n-- not a boundary\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"employee_id\"\r\n"
    "\r\n"
    "7\r\n"
    "--XyZ--\r\n";
const std::string kUpload(kUploadBytes, sizeof(kUploadBytes) - 1);
constexpr char kFileBytes[] = "\x89PNG\r\n\x1a\n\0binary\r\n-- not a boundary";

TEST(Multipart, ReadsAFileAndAFieldAsCurlSendsThem) {
  const Request request = Form(kUpload);  // the parts point into its body
  const std::vector<FormPart> parts = ParseMultipart(request);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "file");
  EXPECT_EQ(parts[0].file_name, "letter.png");
  EXPECT_EQ(parts[0].content_type, "image/png");
  // The bytes exactly, CRLFs and a line that only looks like a boundary included.
  EXPECT_EQ(parts[0].body, std::string_view(kFileBytes, sizeof(kFileBytes) - 1));
  EXPECT_EQ(parts[1].name, "employee_id");
  EXPECT_FALSE(parts[1].file_name);
  EXPECT_EQ(parts[1].content_type, "text/plain");
  EXPECT_EQ(parts[1].body, "7");
}

TEST(Multipart, AQuotedBoundaryAndAPreambleAreAccepted) {
  const std::string body =
      "preamble\r\n--a b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a b--";
  const Request request = Form(body, "Multipart/Form-Data; boundary=\"a b\"");
  const std::vector<FormPart> parts = ParseMultipart(request);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].body, "1");
}

TEST(Multipart, AnotherContentTypeOrNoBoundaryNamesTheHeader) {
  for (const std::string type :
       {"application/json", "multipart/form-data", "multipart/form-data; boundary="}) {
    const Error error = CatchError([&] { ParseMultipart(Form(kUpload, type)); });
    EXPECT_EQ(error.kind(), ErrorKind::kBadRequest) << type;
    ASSERT_EQ(error.fields().size(), 1u) << type;
    EXPECT_EQ(error.fields()[0].field, "Content-Type") << type;
  }
}

TEST(Multipart, MalformedBodiesAreBadRequestsNamingTheBody) {
  const std::vector<std::string> bodies = {
      "",                                                                   // nothing
      "--other\r\n\r\nx\r\n--other--",                                      // the boundary never appears
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",  // no closing boundary
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nno empty line\r\n--XyZ--",
      "--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--XyZ--",  // not form-data
      "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",               // no name
      "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--",                     // no disposition
      "--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--",
      "x--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZ--",  // glued to a preamble
  };
  for (const std::string& body : bodies) {
    const Error error = CatchError([&] { ParseMultipart(Form(body)); });
    EXPECT_EQ(error.kind(), ErrorKind::kBadRequest) << body;
    ASSERT_EQ(error.fields().size(), 1u) << body;
    EXPECT_EQ(error.fields()[0].field, "body") << body;
  }
}

TEST(Multipart, TooManyPartsAreRefused) {
  std::string body;
  for (size_t i = 0; i <= kMaxFormParts; ++i) {
    body += "--XyZ\r\nContent-Disposition: form-data; name=\"p" + std::to_string(i) + "\"\r\n\r\nv\r\n";
  }
  body += "--XyZ--";
  EXPECT_EQ(CatchError([&] { ParseMultipart(Form(body)); }).kind(), ErrorKind::kBadRequest);
}

}  // namespace
}  // namespace tabel::http
