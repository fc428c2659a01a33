//! `perfgate comment`: posts the pull request's sticky comment through the `gh` CLI. It lists
//! the pull request's comments, picks perfgate's own by its marker
//! ([`crate::render::comment::pick`]), decides by the comment mode whether to post
//! ([`crate::render::comment::should_post`]), and edits that comment in place or adds one.
//! It runs no code of the pull request: the body is data, read from a file.

use std::process::Command;

use crate::cli::CommentArgs;
use crate::error::{Error, exit};
use crate::process;
use crate::render::comment::{MARKER, Mode, pick, should_post};

/// Runs `perfgate comment`; exit 0 whether it posted or, by its mode, did not.
pub fn comment_command(args: &CommentArgs) -> anyhow::Result<u8> {
    let body = std::fs::read_to_string(&args.body).map_err(|source| Error::Io {
        action: "read",
        path: args.body.clone(),
        source,
    })?;
    if !body.contains(MARKER) {
        return Err(Error::NotAComment {
            path: args.body.clone(),
        }
        .into());
    }
    if args.mode == Mode::Never {
        eprintln!("perfgate: no comment on #{}: the mode is `never`", args.pr);
        return Ok(exit::OK);
    }
    let repo = match &args.repo {
        Some(repo) => repo.clone(),
        None => std::env::var("GITHUB_REPOSITORY").map_err(|_| Error::NoRepository)?,
    };
    let listed = process::run(
        Command::new("gh").args([
            "api",
            "--paginate",
            &format!("repos/{repo}/issues/{}/comments", args.pr),
        ]),
        process::hint::GH,
    )?;
    let pages = String::from_utf8_lossy(&listed.stdout);
    let earlier = pick(&pages, Some(&args.author)).map_err(|e| Error::ToolOutput {
        tool: "gh",
        path: args.body.clone(),
        message: format!("the list of comments is not GitHub's JSON: {e}"),
    })?;
    if !should_post(args.mode, &body, earlier.as_ref().map(|(_, b)| b.as_str())) {
        eprintln!(
            "perfgate: no comment on #{}: nothing gated moved and the verdict is unchanged ({:?} mode)",
            args.pr, args.mode
        );
        return Ok(exit::OK);
    }
    let field = format!("body=@{}", args.body.display());
    let mut cmd = Command::new("gh");
    match &earlier {
        Some((id, _)) => cmd.args([
            "api",
            "--method",
            "PATCH",
            &format!("repos/{repo}/issues/comments/{id}"),
            "-F",
            &field,
        ]),
        None => cmd.args([
            "api",
            "--method",
            "POST",
            &format!("repos/{repo}/issues/{}/comments", args.pr),
            "-F",
            &field,
        ]),
    };
    process::run(&mut cmd, process::hint::GH)?;
    match earlier {
        Some((id, _)) => eprintln!("perfgate: edited comment {id} on #{}", args.pr),
        None => eprintln!("perfgate: commented on #{}", args.pr),
    }
    Ok(exit::OK)
}
