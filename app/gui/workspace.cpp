#include "workspace.h"

#include <fmt/format.h>

#include <chrono>

#include "app/gui/view_model/recent_studies.h"
#include "base/errors.h"

namespace mose::app::gui {

StudyTab::StudyTab(view_model::LoaderOptions options)
    : loader(std::make_unique<view_model::StudyLoader>(options)), title(options.url) {}

void StudyTab::update() {
  std::shared_ptr<const view_model::StudySnapshot> snapshot = loader->snapshot();
  if (!snapshot || snapshot->version == seen_version) return;
  const bool first = seen_version == 0;
  seen_version = snapshot->version;
  title = snapshot->data.study.name;
  view.set_snapshot(std::move(snapshot));
  if (first) fit_next_frame = true;
}

bool StudyTab::settled() const { return loaded() || !loader->error().empty() || loader->waiting_for_store(); }

void BackgroundJobs::run(std::string what, std::function<std::string()> job) {
  jobs_.push_back({std::move(what), std::async(std::launch::async, std::move(job))});
}

std::vector<std::string> BackgroundJobs::collect() {
  std::vector<std::string> lines;
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      ++it;
      continue;
    }
    try {
      lines.push_back(it->result.get());
    } catch (const std::exception& e) {
      lines.push_back(fmt::format("{} failed: {}", it->what, describe(e)));
    }
    it = jobs_.erase(it);
  }
  return lines;
}

void BackgroundJobs::wait_all() {
  for (Job& job : jobs_) job.result.wait();
}

void LogBuffer::add(std::string line) {
  std::lock_guard lock(mutex_);
  lines_.push_back(std::move(line));
  while (lines_.size() > 500) lines_.pop_front();
}

std::vector<std::string> LogBuffer::lines() const {
  std::lock_guard lock(mutex_);
  return {lines_.begin(), lines_.end()};
}

StudyTab& Workspace::open(const std::string& url, const std::string& study) {
  for (std::size_t i = 0; i < tabs.size(); ++i) {
    const view_model::LoaderOptions& o = tabs[i]->loader->options();
    if (o.url == url && o.study == study) {
      active = i;
      return *tabs[i];
    }
  }
  tabs.push_back(std::make_unique<StudyTab>(view_model::LoaderOptions{.url = url, .study = study, .poll_s = poll_s}));
  active = tabs.size() - 1;
  recent = view_model::with_recent(recent, url);
  jobs.run("remembering recent studies", [list = recent] {
    view_model::write_recent_studies(view_model::recent_studies_file(), list);
    return std::string();
  });
  return *tabs.back();
}

void Workspace::close(std::size_t index) {
  if (index >= tabs.size()) return;
  // Its loader thread may be in the middle of a read: join it off the UI thread.
  std::shared_ptr<StudyTab> closing(std::move(tabs[index]));
  tabs.erase(tabs.begin() + static_cast<std::ptrdiff_t>(index));
  jobs.run("closing a study", [closing]() mutable {
    closing.reset();
    return std::string();
  });
  if (active >= tabs.size() && active > 0) active = tabs.size() - 1;
}

void Workspace::update() {
  for (auto& tab : tabs) tab->update();
  for (std::string& line : jobs.collect()) {
    if (!line.empty()) log->add(std::move(line));
  }
}

bool Workspace::all_settled() const {
  for (const auto& tab : tabs) {
    if (!tab->settled()) return false;
  }
  return true;
}

bool Workspace::all_loaded() const {
  for (const auto& tab : tabs) {
    if (!tab->loaded()) return false;
  }
  return true;
}

}  // namespace mose::app::gui
