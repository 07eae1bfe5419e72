#pragma once
// The one way into Boost.Asio and Boost.Beast. Boost 1.74's awaitable.hpp
// fails to compile on g++ 12 unless <utility> comes first, so every file
// includes Asio through this header and never directly.

#include <utility>  // must precede boost/asio/awaitable.hpp

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tabel {

namespace asio = boost::asio;
namespace beast = boost::beast;

template <class T>
using Task = asio::awaitable<T>;

namespace http {
using Verb = beast::http::verb;
using Status = beast::http::status;
using Fields = beast::http::fields;
}  // namespace http

}  // namespace tabel
