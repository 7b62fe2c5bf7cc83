#pragma once
// Runs the itrade binary for end-to-end tests: exit code and combined stdout/stderr.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace cli_runner {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandRun itrade(const std::string& args) {
  const std::string command = std::string(ITRADE_BINARY) + " " + args + " 2>&1";
  CommandRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) run.output += buffer;
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A models.yaml with one small model, "quick", so that training stays fast under sanitizers.
inline void write_quick_models(const fs::path& file) {
  std::ofstream(file) << "models:\n"
                         "  quick:\n"
                         "    framework: lightgbm\n"
                         "    task: classification\n"
                         "    target: direction_5\n"
                         "    hyperparameters: { num_leaves: 7, learning_rate: 0.1, n_estimators: 30,\n"
                         "                       early_stopping_rounds: 10 }\n"
                         "    enabled: true\n";
}

// The quick model trained on AAPL and MSFT of the ibkr sample through 2025 with the blueprint's 5
// features, into `out` (its models.yaml written into `dir`): the model the paper and promote tests
// trade.
inline CommandRun train_quick_model(const fs::path& dir, const fs::path& out) {
  write_quick_models(dir / "models.yaml");
  return itrade("models train --model quick --models-config " + (dir / "models.yaml").string() +
                " --data data/sample/ibkr --tickers AAPL,MSFT --features sma_5,sma_20,rsi_14,volume_ratio,atr_14 "
                "--end 2025-12-31 --importance-repeats 0 --out " +
                out.string());
}

// A backtest.yaml in `dir` that trades the quick model: its signals are cautious (confidence about
// 0.05), so only full-fraction sizing buys a few shares.
inline fs::path write_full_fraction_config(const fs::path& dir) {
  const fs::path file = dir / "backtest.yaml";
  std::ofstream(file) << "position_fraction: 1.0\n";
  return file;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device seed;
    dir_ = fs::temp_directory_path() / ("itrade_cli_" + std::to_string(seed()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace cli_runner
