#include "notification/templates.hpp"

#include <kainjow/mustache.hpp>

#include <stdexcept>
#include <string_view>

#include "common/embedded.hpp"

namespace tabel::notification {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kFolder = "data/notification/";

mustache::data DataOf(const TemplateValues& values) {
  mustache::data data;
  for (const auto& [key, value] : values.text) data.set(key, value);
  for (const auto& [key, items] : values.lists) {
    mustache::data list{mustache::data::type::list};
    for (const std::string& item : items) list.push_back(mustache::data{"text", item});
    data.set(key, list);
  }
  return data;
}

// Renders `source`; `html` escapes values, the text part does not.
std::string RenderText(const std::string& source, const mustache::data& data, bool html) {
  mustache::mustache tmpl{source};
  if (!html) tmpl.set_custom_escape([](const std::string& text) { return text; });
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) throw std::runtime_error("notification template: " + tmpl.error_message());
  return out;
}

void CheckParses(const std::string& path, const std::string& source) {
  const mustache::mustache tmpl{source};
  if (!tmpl.is_valid()) throw std::runtime_error(path + ": " + tmpl.error_message());
}

// The subject is one line, without the trailing newline of its file.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

Templates Templates::Load() {
  Templates templates;
  std::map<std::string, std::map<std::string, std::string>> found;  // name -> extension -> source
  for (const embedded::File& file : embedded::All()) {
    if (!file.path.starts_with(kFolder)) continue;
    const std::string name(file.path.substr(kFolder.size()));
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) throw std::runtime_error(std::string(file.path) + ": no extension");
    CheckParses(std::string(file.path), std::string(file.content));
    found[name.substr(0, dot)][name.substr(dot + 1)] = std::string(file.content);
  }
  for (auto& [name, parts] : found) {
    if (name == "layout") {
      if (!parts.contains("txt") || !parts.contains("html")) {
        throw std::runtime_error(std::string(kFolder) + "layout: needs layout.txt and layout.html");
      }
      templates.layout_text_ = parts["txt"];
      templates.layout_html_ = parts["html"];
      continue;
    }
    for (const char* extension : {"subject", "txt", "html"}) {
      if (!parts.contains(extension)) {
        throw std::runtime_error(std::string(kFolder) + name + "." + extension + ": missing");
      }
    }
    templates.templates_[name] = {parts["subject"], parts["txt"], parts["html"]};
  }
  if (templates.layout_text_.empty()) throw std::runtime_error(std::string(kFolder) + "layout.txt: missing");
  return templates;
}

bool Templates::Has(const std::string& name) const { return templates_.contains(name); }

Rendered Templates::Render(const std::string& name, const TemplateValues& values) const {
  const Parts& parts = templates_.at(name);
  mustache::data data = DataOf(values);
  Rendered rendered;
  rendered.subject = OneLine(RenderText(parts.subject, data, /*html=*/false));
  rendered.content = RenderText(parts.text, data, /*html=*/false);
  while (!rendered.content.empty() && rendered.content.back() == '\n') rendered.content.pop_back();
  data.set("subject", rendered.subject);
  data.set("content", rendered.content);
  rendered.text = RenderText(layout_text_, data, /*html=*/false);
  data.set("content", RenderText(parts.html, data, /*html=*/true));
  rendered.html = RenderText(layout_html_, data, /*html=*/true);
  return rendered;
}

}  // namespace tabel::notification
