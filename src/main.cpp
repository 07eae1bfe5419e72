// tabel: command line → Config → App. Nothing else lives here.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "agent/evaluation.hpp"
#include "app/app.hpp"
#include "app/config.hpp"
#include "common/error.hpp"
#include "infra/log/log.hpp"

namespace {

constexpr int kConfigErrorExit = 2;

std::string SettingsHelp() {
  std::string text =
      "\nConfiguration (environment variables; a TOML file may set the same keys in lower case\n"
      "without the TABEL_ prefix, e.g. http_port = 8080):\n";
  for (const auto& setting : tabel::app::Settings()) {
    text += "  " + std::string(setting.env) + "\n      " + std::string(setting.description) + "\n";
  }
  return text;
}

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    items.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// `tabel agent-eval`: needs no configuration, only the OCR models.
int AgentEval(const std::string& dir, const std::string& extractor_name,
              const tabel::agent::OcrOptions& ocr_options, const tabel::agent::LlmOptions& llm) {
  try {
    auto ocr = tabel::agent::MakeTesseractOcr(ocr_options);
    auto extractor =
        extractor_name == "llm" ? tabel::agent::MakeLlmExtractor(llm) : tabel::agent::MakeRuleExtractor();
    return tabel::agent::Evaluate(dir, *ocr, *extractor, std::cout).Passed() ? 0 : 1;
  } catch (const std::invalid_argument& error) {
    std::cerr << "tabel agent-eval: " << error.what() << "\n";
    return kConfigErrorExit;
  } catch (const tabel::Error& error) {
    std::cerr << "tabel agent-eval: " << error.detail() << " " << error.internal() << "\n";
    return 1;
  }
}

// The check of --services: every name a known service.
std::string CheckServices(const std::string& value) {
  const auto& known = tabel::app::KnownServices();
  for (const std::string& name : SplitList(value)) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& service : known) list += (list.empty() ? "" : ", ") + service;
      return "unknown service \"" + name + "\"; known: " + list;
    }
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that resets a connection must cost an EPIPE error, not the
  // process: some client libraries (hiredis, OpenSSL) write with write(2).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App cli{"Tabel: employees' activities, timesheets and reports."};
  cli.footer(SettingsHelp());
  cli.require_subcommand(1);
  std::optional<std::string> config_file;
  cli.add_option("--config", config_file, "TOML configuration file (or TABEL_CONFIG_FILE)");

  tabel::app::ServeOptions serve_options;
  std::string services;
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API (and the in-process queue workers)");
  serve->add_option("--services", services, "Comma-separated services to run; default all")
      ->check(CheckServices);
  serve->add_flag("--demo", serve_options.demo,
                  "Fill an empty database with a demo company and print the logins");
  auto* worker = cli.add_subcommand("worker", "Run queue consumers only (no HTTP API)");
  worker->add_option("--services", services, "Comma-separated services whose queues to consume; default all")
      ->check(CheckServices);
  auto* migrate = cli.add_subcommand("migrate", "Apply pending database migrations and exit");
  auto* version = cli.add_subcommand("version", "Print the version and exit");
  auto* routes = cli.add_subcommand("routes", "Print every HTTP route (method and path template) and exit");
  routes->add_option("--services", services, "Comma-separated services whose routes to print; default all")
      ->check(CheckServices);
  int seed_employees = 25000;
  uint64_t seed_value = 1;
  auto* seed = cli.add_subcommand(
      "seed", "Fill an empty database with a generated company (for trials and benchmarks)");
  seed->add_option("--employees", seed_employees, "How many employees (1-1000000)")
      ->check(CLI::Range(1, 1000000));
  seed->add_option("--seed", seed_value, "Random seed: the same seed gives the same company");
  auto* queue = cli.add_subcommand("queue", "Inspect and replay dead-lettered tasks");
  queue->require_subcommand(1);
  std::optional<std::string> dead_queue;
  size_t dead_limit = 100;
  auto* dead = queue->add_subcommand("dead", "List dead-lettered tasks as JSON lines, newest first");
  dead->add_option("--queue", dead_queue, "Only this queue");
  dead->add_option("--limit", dead_limit, "At most this many (1-1000)")->check(CLI::Range(1, 1000));
  std::string replay_id;
  auto* replay = queue->add_subcommand("replay", "Put a dead-lettered task back on its queue");
  replay->add_option("task_id", replay_id, "The task id (from `tabel queue dead`)")->required();

  std::string eval_dir;
  std::string eval_extractor = "rules";
  tabel::agent::OcrOptions eval_ocr;
  tabel::agent::LlmOptions eval_llm;
  auto* agent_eval = cli.add_subcommand(
      "agent-eval",
      "Run the resignation-letter pipeline over labelled letters (tests/agent/generate.py) and "
      "print its accuracy; exits 1 below 95% correct decisions or when an invented value was accepted");
  agent_eval->add_option("dir", eval_dir, "Folder of letters and their .json labels")
      ->required()
      ->check(CLI::ExistingDirectory);
  agent_eval->add_option("--extractor", eval_extractor, "rules (offline) or llm")
      ->check(CLI::IsMember({"rules", "llm"}));
  agent_eval->add_option("--tessdata-dir", eval_ocr.tessdata_dir, "Folder of the OCR models (rus, eng)")
      ->envname("TABEL_TESSDATA_DIR");
  agent_eval->add_option("--llm-url", eval_llm.url, "OpenAI-compatible API base (…/v1)")
      ->envname("TABEL_LLM_URL");
  agent_eval->add_option("--llm-model", eval_llm.model, "Model name")->envname("TABEL_LLM_MODEL");
  agent_eval->add_option("--llm-samples", eval_llm.samples, "Answers per letter; above 1 they vote per field")
      ->envname("TABEL_LLM_SAMPLES")
      ->check(CLI::Range(1, 9));
  if (const char* key = std::getenv("TABEL_LLM_API_KEY")) eval_llm.api_key = key;

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);
    return code == 0 ? 0 : kConfigErrorExit;
  }

  if (version->parsed()) {
    std::cout << "tabel " << TABEL_VERSION << "\n";
    return 0;
  }

  if (agent_eval->parsed()) return AgentEval(eval_dir, eval_extractor, eval_ocr, eval_llm);

  tabel::app::Config config;
  try {
    config = tabel::app::LoadConfig(tabel::app::ProcessEnvironment(), config_file);
  } catch (const tabel::app::ConfigError& error) {
    std::cerr << "tabel: configuration error: " << error.what() << "\n";
    return kConfigErrorExit;
  }
  if (!services.empty()) serve_options.services = SplitList(services);
  // "Today" everywhere is the date in the company's time zone.
  setenv("TZ", config.timezone.c_str(), 1);
  tzset();

  tabel::log::Logger logger(config.log_level);
  try {
    tabel::app::App app(config, logger);
    if (serve->parsed()) return app.Serve(serve_options);
    if (worker->parsed()) return app.Worker(serve_options.services);
    if (migrate->parsed()) return app.Migrate();
    if (routes->parsed()) return app.Routes(std::cout, serve_options.services);
    if (dead->parsed()) return app.DeadLetters(std::cout, dead_queue, dead_limit);
    if (seed->parsed()) return app.Seed(seed_employees, seed_value);
    if (replay->parsed()) return app.Replay(replay_id);
  } catch (const std::invalid_argument& error) {
    std::cerr << "tabel: configuration error: " << error.what() << "\n";
    return kConfigErrorExit;
  } catch (const tabel::Error& error) {
    logger.Error("fatal", {{"error", error.detail()}, {"internal", error.internal()}});
    return 1;
  } catch (const std::exception& error) {
    logger.Error("fatal", {{"error", error.what()}});
    return 1;
  }
  return 0;
}
