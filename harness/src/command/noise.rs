//! `perfgate noise`: an A/A calibration of the machine. HEAD is measured once, its wall-time
//! executables frozen twice, and the two copies run against each other in paired rounds, as
//! `compare --run` runs a base and a head; the per-round log ratios then say what the paired
//! gate can see on this machine ([`crate::gate::noise`]).

use crate::atomic;
use crate::cli::{NoiseArgs, NoiseFormat};
use crate::error::{Error, exit};
use crate::gate::noise;
use crate::lock::RunLock;
use crate::pipeline::measure_commit;
use crate::plan::{MeasureRequest, Plan};
use crate::render::noise as render;

use super::{Workspace, emit, gate_rules, interleaved};

/// Runs `perfgate noise`.
pub fn noise_command(args: &NoiseArgs) -> anyhow::Result<u8> {
    let ws = Workspace::open(args.config.as_deref(), None)?;
    let Workspace {
        cwd,
        repo,
        root,
        config_path,
        config,
        baselines,
    } = &ws;
    let _lock = RunLock::acquire(repo, "`perfgate noise`", baselines)?;
    let head = repo.commit("HEAD")?;
    // The calibration measures HEAD in a worktree and stores nothing: its baseline goes to a
    // temporary folder.
    let scratch = crate::atomic::scratch_dir()?;
    let request = MeasureRequest {
        baselines: Some(scratch.path().to_path_buf()),
        rev: Some(head.sha.clone()),
        profiles: args.profiles.clone(),
        quick: !args.full,
        ..MeasureRequest::default()
    };
    let plan = Plan::new(&request, config.clone(), root, cwd)?;
    let startup = plan.startup.clone();
    let measure = |commit: &crate::git::CommitInfo| {
        let request = MeasureRequest {
            rev: Some(commit.sha.clone()),
            ..request.clone()
        };
        measure_commit(repo, &Plan::new(&request, config.clone(), root, cwd)?)
    };
    let rules = gate_rules(config, repo, &head.sha, config_path)?;
    let rounds = args.rounds as usize;
    let pairs = interleaved::aa_rounds(
        &interleaved::Job {
            base: &head,
            head: &head,
            measure: &measure,
            full: args.full,
            startup,
            history: &|_| Ok(crate::gate::History::default()),
            rules: &rules,
            baselines_dir: scratch.path(),
        },
        rounds,
    )?;
    let rows = noise::calibrate(&pairs, &rules);
    match args.format {
        NoiseFormat::Table => emit(&render::table(&rows, rounds))?,
        NoiseFormat::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&render::json(&rows, rounds))?
        ))?,
    }
    if args.write {
        let text = if config_path.exists() {
            std::fs::read_to_string(config_path).map_err(|source| Error::Io {
                action: "read",
                path: config_path.clone(),
                source,
            })?
        } else {
            String::new()
        };
        let block = noise::toml_block(&rows, rounds);
        atomic::write(config_path, noise::with_block(&text, &block).as_bytes())?;
        if block.is_empty() {
            eprintln!(
                "perfgate: noise: every suggested gate is the configured one; nothing to suggest in {}",
                config_path.display()
            );
        } else {
            eprintln!(
                "perfgate: noise: suggested gates written to {}, commented out: uncomment to accept",
                config_path.display()
            );
        }
    }
    Ok(exit::OK)
}
