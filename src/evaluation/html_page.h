#pragma once
// What every self-contained HTML page of itrade shares (report.html, the importance page): the
// document's opening with one stylesheet in a <style> element, and small writing helpers. Pages
// load nothing: no script, no font, no image, no link.

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>
#include <utility>

namespace itrade::evaluation {

// "<!DOCTYPE html>...<title>`title`</title><style>...</style></head><body>\n": the shared style
// (typography, tables, sign colours, charts, footer) followed by the page's own `extra_style`,
// which may override it. `title` is escaped here.
std::string page_start(std::string_view title, std::string_view extra_style);

// The CSS class of a money, return or correlation cell: " pos", " neg" or "" (zero, NaN).
const char* sign_class(double value);

inline void append(std::string& out, std::string_view text) { out.append(text.data(), text.size()); }

template <typename... Args>
void emit(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

}  // namespace itrade::evaluation
