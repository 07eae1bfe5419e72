#pragma once
// The Russian texts of notifications: logic-less mustache templates compiled
// into the binary from data/notification/ — per template a subject
// (<name>.subject), a plain-text part (<name>.txt) and an HTML part
// (<name>.html), each laid into the common layout.txt / layout.html
// (greeting, link, footer, unsubscribe link). Adding or rewording a
// template is a change of data only.
//
//   const Templates templates = Templates::Load();
//   Rendered r = templates.Render("request_approved", values);
//
// Values are flat strings plus lists of strings (e.g. the problems of a
// letter); the HTML part escapes every {{value}}, the text part none.
//
// Thread-safety: immutable once loaded; Render is safe from any thread.

#include <map>
#include <string>
#include <vector>

namespace tabel::notification {

struct TemplateValues {
  std::map<std::string, std::string> text;
  std::map<std::string, std::vector<std::string>> lists;  // {{#name}}{{text}}{{/name}}
};

struct Rendered {
  std::string subject;  // one line
  std::string content;  // the plain-text part without the layout: the feed's text
  std::string text;     // the whole plain-text part of the mail
  std::string html;     // the whole HTML part of the mail
};

class Templates {
 public:
  // Every template of the embedded data/notification/. Throws
  // std::runtime_error naming the file for a template that does not parse
  // or lacks one of its three parts.
  static Templates Load();

  bool Has(const std::string& name) const;
  // Throws std::out_of_range for an unknown template.
  Rendered Render(const std::string& name, const TemplateValues& values) const;

 private:
  struct Parts {
    std::string subject, text, html;
  };
  std::map<std::string, Parts> templates_;
  std::string layout_text_, layout_html_;
};

}  // namespace tabel::notification
