// Checkpoints: round trip, bit-identical resume, clear errors for bad files, checksums
// that refuse damaged files but survive a crash between renames, and a full disk during
// a save (a child process under RLIMIT_FSIZE).
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <torch/torch.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include "base/errors.h"
#include "base/file_checksum.h"
#include "core/model/gpt.h"
#include "core/train/checkpoint.h"
#include "test_support.h"

using namespace mose::core;
using namespace mose::core::spec;
using namespace mose::core::model;
using namespace mose::core::train;
using namespace mose::core::testing;

namespace {

TrainConfig resumable_config(const std::string& checkpoint) {
  TrainConfig t;
  t.steps = 8;
  t.batch_size = 4;
  t.grad_accum = 2;
  t.seed = 11;
  t.device = "cpu";
  t.log_every = 1;
  t.checkpoint_path = checkpoint;
  t.optim.warmup_steps = 2;
  t.width.sampler = "sandwich";
  t.width.granularity = "token";  // exercises every random draw: width per assignment
  t.width.distill = true;
  t.width.distill_weight = 0.5;
  return t;
}

std::vector<double> run_losses(Trainer& trainer, int64_t stop_after) {
  std::vector<double> losses;
  TrainHooks hooks;
  hooks.on_log = [&](const TrainStepLog& log) { losses.push_back(log.lm_loss); };
  hooks.stop_requested = [&] { return stop_after > 0 && trainer.next_step() >= stop_after; };
  trainer.run(hooks);
  return losses;
}

bool same_parameters(LanguageModel& a, LanguageModel& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (const auto& item : pa) {
    if (!at::equal(item.value(), pb[item.key()])) return false;
  }
  return pa.size() == pb.size();
}

// Runs `body` in a child process whose files may not grow past `limit` bytes, with
// SIGXFSZ ignored so that an oversized write fails with EFBIG the way a write to a full
// disk fails with ENOSPC. Returns the child's wait status; the child exits with body().
int wait_status_with_file_size_limit(rlim_t limit, const std::function<int()>& body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit cap{limit, limit};
    if (::setrlimit(RLIMIT_FSIZE, &cap) != 0) ::_exit(90);
    int code = 91;
    try {
      code = body();
    } catch (...) {
      code = 92;
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

// XORs 8 bytes in the middle of the file (tensor data in a checkpoint) with 0xff.
void flip_middle_bytes(const std::filesystem::path& path) {
  const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(path) / 2);
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  char bytes[8];
  file.seekg(middle);
  file.read(bytes, sizeof bytes);
  for (char& c : bytes) c = static_cast<char>(c ^ 0xff);
  file.seekp(middle);
  file.write(bytes, sizeof bytes);
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("resuming from a checkpoint gives bit-identical losses and weights", "[core][checkpoint]") {
  TempDir dir;
  ModelConfig model = tiny_model();
  model.router.noise_std = 0.1;  // router noise must replay too
  model.router.capacity_factor_train = 1.0;
  BatchFn batches = synthetic_batches(4, model.seq_len, model.vocab_size);

  Trainer straight(model, resumable_config((dir.path() / "a.pt").string()), batches, "fp");
  std::vector<double> expected = run_losses(straight, 0);
  REQUIRE(expected.size() == 8);

  const std::string path = (dir.path() / "b.pt").string();
  std::vector<double> resumed;
  {
    Trainer first(model, resumable_config(path), batches, "fp");
    resumed = run_losses(first, 3);  // stops after step 3 and checkpoints
    REQUIRE(resumed.size() == 3);
  }
  Trainer second(model, resumable_config(path), batches, "fp");
  CHECK(second.next_step() == 3);
  for (double loss : run_losses(second, 0)) resumed.push_back(loss);

  REQUIRE(resumed.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("step " << i + 1);
    CHECK(resumed[i] == expected[i]);  // bit-identical, not approximately equal
  }
  CHECK(same_parameters(straight.model(), second.model()));
}

TEST_CASE("checkpoint round trip restores parameters exactly", "[core][checkpoint]") {
  TempDir dir;
  Gpt a(tiny_model(), 1), b(tiny_model(), 2);
  REQUIRE_FALSE(same_parameters(a, b));
  const auto path = dir.path() / "m.pt";
  save_checkpoint(path, a, nullptr, {5, 640, 1, "abc", 12.5});
  CheckpointState state = load_checkpoint(path, b, nullptr, "abc");
  CHECK(same_parameters(a, b));
  CHECK(state.next_step == 5);
  CHECK(state.tokens_seen == 640);
  CHECK(state.train_seconds == 12.5);
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp." + std::to_string(::getpid())));
}

TEST_CASE("bad checkpoints fail with the path and the reason", "[core][checkpoint]") {
  TempDir dir;
  Gpt model(tiny_model(), 1);
  const auto path = dir.path() / "m.pt";
  CHECK_THROWS_AS(load_checkpoint(path, model, nullptr, ""), mose::CheckpointError);
  save_checkpoint(path, model, nullptr, {1, 1, 1, "run-a"});
  CHECK_THROWS_WITH(load_checkpoint(path, model, nullptr, "run-b"),
                    Catch::Contains("m.pt") && Catch::Contains("written for config run-a"));
  std::ofstream(path, std::ios::trunc) << "not a checkpoint";
  CHECK_THROWS_WITH(load_checkpoint(path, model, nullptr, ""), Catch::Contains("damaged"));
  std::filesystem::remove(mose::checksum_file_for(path));  // unverified, torch finds it unreadable
  CHECK_THROWS_WITH(load_checkpoint(path, model, nullptr, ""), Catch::Contains("cannot read checkpoint"));
  ModelConfig wider = tiny_model();
  wider.d_model = 32;
  Gpt other(wider, 1);
  save_checkpoint(path, other, nullptr, {1, 1, 1, ""});
  CHECK_THROWS_WITH(load_checkpoint(path, model, nullptr, ""),
                    Catch::Contains("tensor 'wte' is [64, 32] in the checkpoint but [64, 16] in this model"));
}

TEST_CASE("a full disk during a save throws an error naming the file and keeps the old checkpoint",
          "[core][checkpoint]") {
  TempDir dir;
  Gpt model(tiny_model(), 1);
  const auto path = dir.path() / "m.pt";
  save_checkpoint(path, model, nullptr, {1, 1, 1, "run"});
  const auto before = std::filesystem::file_size(path);
  REQUIRE(before > 8192);
  // The child's exit code says what went wrong; 0 when the save failed cleanly.
  const int status = wait_status_with_file_size_limit(4096, [&]() -> int {
    try {
      save_checkpoint(path, model, nullptr, {2, 2, 1, "run"});
      return 1;  // the save cannot have fitted
    } catch (const mose::IoError& e) {
      const std::string message = e.what();
      if (message.find(path.string()) == std::string::npos) return 2;
      if (message.find("File too large") == std::string::npos) return 3;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      if (entry.path().filename().string().find(".tmp.") != std::string::npos) return 4;  // a temp file left behind
    }
    return 0;
  });
  INFO("wait status " << status);
  REQUIRE(WIFEXITED(status));  // not killed by std::terminate's SIGABRT
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(std::filesystem::file_size(path) == before);
  CHECK(load_checkpoint(path, model, nullptr, "run").next_step == 1);
}

TEST_CASE("a damaged checkpoint is refused, naming the file and both checksums", "[core][checkpoint]") {
  TempDir dir;
  Gpt model(tiny_model(), 1);
  const auto path = dir.path() / "m.pt";
  save_checkpoint(path, model, nullptr, {1, 1, 1, "run"});
  const mose::FileDigest saved = mose::file_crc32(path);
  CHECK((mose::read_checksum_file(path) == std::vector<mose::FileDigest>{saved}));  // the new file alone
  flip_middle_bytes(path);
  const mose::FileDigest damaged = mose::file_crc32(path);
  REQUIRE_FALSE((damaged == saved));
  CHECK_THROWS_AS(load_checkpoint(path, model, nullptr, "run"), mose::CheckpointError);
  CHECK_THROWS_WITH(load_checkpoint(path, model, nullptr, "run"),
                    Catch::Contains(path.string()) && Catch::Contains(damaged.checksum) &&
                        Catch::Contains(saved.checksum) && Catch::Contains("damaged"));
  // Without its checksum file (a checkpoint from before they existed) it loads, unverified.
  std::filesystem::remove(mose::checksum_file_for(path));
  CHECK(load_checkpoint(path, model, nullptr, "run").next_step == 1);
}

TEST_CASE("a save interrupted between its renames leaves a checkpoint that loads", "[core][checkpoint]") {
  TempDir dir;
  Gpt model(tiny_model(), 1);
  const auto path = dir.path() / "m.pt";
  save_checkpoint(path, model, nullptr, {1, 1, 1, "run"});
  const std::string first = read_bytes(path);
  const mose::FileDigest first_digest = mose::file_crc32(path);
  save_checkpoint(path, model, nullptr, {2, 2, 1, "run"});
  const mose::FileDigest second_digest = mose::file_crc32(path);

  // The second save as a crash left it: its checksum file (listing both) renamed, the
  // checkpoint not yet, so the first file is still there.
  mose::write_checksum_file(path, {second_digest, first_digest});
  std::ofstream(path, std::ios::binary | std::ios::trunc) << first;
  CHECK(load_checkpoint(path, model, nullptr, "run").next_step == 1);

  // The next save lists the file really on disk as the one it replaces.
  save_checkpoint(path, model, nullptr, {3, 3, 1, "run"});
  CHECK(load_checkpoint(path, model, nullptr, "run").next_step == 3);
  CHECK((mose::read_checksum_file(path) == std::vector<mose::FileDigest>{mose::file_crc32(path)}));
}
