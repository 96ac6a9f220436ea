//! `onshi cards list | show | export | check | serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};

use onshi::card::face::FaceRenderer;
use onshi::card::{CardProfile, VirtualCard};
use onshi::cardcheck;
use onshi::cardstate::StateDir;
use onshi::channel::InProcessChannel;
use onshi::persona::CardFactory;
use onshi::persona::model::RegistrationState;
use onshi::pki::{CaKind, CertInfo};
use onshi::vpcd::{self, ServedCard, StopHandle};

use super::common::{CliError, Exit, WorldArgs};

/// Card subcommands.
#[derive(Debug, Subcommand)]
pub(super) enum CardsCommand {
    /// List the personas.
    List {
        /// Directory of persona files (default: embedded).
        dir: Option<PathBuf>,
    },
    /// Show a persona with its certificate details.
    Show {
        /// Persona id or path to a `.toml` file.
        card: String,
        #[command(flatten)]
        world: WorldArgs,
    },
    /// Write a certificate as DER, or the card-face images. Never the My Number or the
    /// card back.
    Export {
        /// Persona id or path.
        card: String,
        /// What to write.
        #[arg(long, value_enum)]
        what: ExportWhat,
        /// Output file; for `images`, a directory (created if needed).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        world: WorldArgs,
    },
    /// Run an in-process card session (read certificate, sign, read photo) per card.
    Check {
        /// Persona ids (default: all).
        #[arg(value_name = "CARD")]
        card_ids: Vec<String>,
        #[command(flatten)]
        world: WorldArgs,
    },
    /// Expose cards to pcscd through vpcd until Ctrl-C / SIGTERM.
    Serve(ServeArgs),
}

/// What `cards export` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ExportWhat {
    /// 利用者証明用電子証明書.
    AuthCert,
    /// Its CA certificate.
    AuthCa,
    /// 署名用電子証明書.
    SignCert,
    /// 氏名画像 (PNG, 1-bit greyscale), as the card-surface AP holds it.
    NameImage,
    /// 住所画像 (PNG).
    AddressImage,
    /// The セキュリティコード image (PNG).
    SecurityCodeImage,
    /// 顔写真 (JPEG 2000, JP2).
    FacePhoto,
    /// All four into the directory `--out`: `name.png`, `address.png`,
    /// `security-code.png`, `face.jp2`.
    Images,
}

/// A card-face file to write: its name in an `images` directory and its bytes.
type FaceFile = (&'static str, Arc<[u8]>);

impl ExportWhat {
    /// The card-face files this choice writes (file name, bytes), or `None` for a
    /// certificate. The My Number image and the card back are never among them.
    fn images(self, p: &CardProfile) -> Option<Vec<FaceFile>> {
        let name = ("name.png", Arc::clone(&p.face.name));
        let address = ("address.png", Arc::clone(&p.face.address));
        let code = ("security-code.png", Arc::clone(&p.face.security_code));
        let photo = ("face.jp2", Arc::clone(&p.face_photo));
        Some(match self {
            Self::AuthCert | Self::AuthCa | Self::SignCert => return None,
            Self::NameImage => vec![name],
            Self::AddressImage => vec![address],
            Self::SecurityCodeImage => vec![code],
            Self::FacePhoto => vec![photo],
            Self::Images => vec![name, address, code, photo],
        })
    }

    fn is_image(self) -> bool {
        !matches!(self, Self::AuthCert | Self::AuthCa | Self::SignCert)
    }
}

/// `cards serve` options.
#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Persona ids (each on the next vpcd port).
    #[arg(required = true, value_name = "CARD")]
    card_ids: Vec<String>,
    /// vpcd address of the first card.
    #[arg(long, default_value = vpcd::DEFAULT_VPCD)]
    vpcd: SocketAddr,
    /// Keep PIN counters here so a lock survives restarts.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    #[command(flatten)]
    world: WorldArgs,
}

pub(super) fn run(cmd: CardsCommand) -> Result<Exit, CliError> {
    match cmd {
        CardsCommand::List { dir } => list(dir),
        CardsCommand::Show { card, world } => show(&card, &world),
        CardsCommand::Export {
            card,
            what,
            out,
            world,
        } => export(&card, what, &out, &world),
        CardsCommand::Check { card_ids, world } => check(&card_ids, &world),
        CardsCommand::Serve(args) => serve(args),
    }
}

fn registration_label(r: RegistrationState) -> &'static str {
    match r {
        RegistrationState::Registered(_) => "登録済み",
        RegistrationState::Unregistered => "未登録",
        RegistrationState::Cancelled => "登録解除",
    }
}

fn list(dir: Option<PathBuf>) -> Result<Exit, CliError> {
    let world = WorldArgs {
        cards: dir,
        seed: onshi::defaults::DEFAULT_SEED,
        as_of: None,
        key_cache: None,
        no_key_cache: true,
        pki_dir: None,
        face_font: None,
    };
    let set = world.personas()?;
    let as_of = world.as_of();
    println!(
        "{:<32} {:<14} {:<8} {:<8} description",
        "id", "name", "card", "登録"
    );
    for p in set.iter() {
        let r = p.resolve(as_of, world.seed);
        let kind = if r.card.pinless {
            "PINなし"
        } else {
            "標準"
        };
        println!(
            "{:<32} {:<14} {:<8} {:<8} {}",
            p.id,
            r.person.name,
            kind,
            registration_label(r.registration),
            r.description
        );
    }
    println!("{} personas (as of {as_of})", set.len());
    Ok(Exit::Passed)
}

fn show(card: &str, world: &WorldArgs) -> Result<Exit, CliError> {
    let set = world.personas()?;
    let persona = world.persona(&set, card)?;
    let as_of = world.as_of();
    let r = persona.resolve(as_of, world.seed);
    let factory = world.factory()?;
    let issued = factory
        .issue(&r)
        .map_err(|e| CliError::failed(e.to_string()))?;
    println!("persona      {} ({})", r.id, persona.path.display());
    println!("description  {}", r.description);
    println!("as of        {as_of}");
    println!("name         {} / {}", r.person.name, r.person.name_kana);
    println!(
        "birth date   {}  sex {}",
        r.person.birth_date,
        r.person.sex.code()
    );
    println!("address      {}", r.person.address);
    println!(
        "card         {}; expires {}; 照合番号B {}",
        if r.card.pinless {
            "PIN-less (顔認証マイナンバーカード)"
        } else {
            "standard"
        },
        r.card.expires_on,
        r.card.match_b
    );
    println!("PIN tries    {:?}", r.card.tries.tries_left);
    if let Some(t) = r.card.tampered {
        println!("tampered     {t:?}");
    }
    println!("registration {}", registration_label(r.registration));
    for q in &r.qualifications {
        println!(
            "qualification {} {} 記号{} 番号{} 枝番{} from {} to {} ratio {}",
            q.insurer_number,
            q.insurer_name,
            q.symbol,
            q.number,
            q.branch,
            q.acquired_on,
            q.lost_on.map_or("-".into(), |d| d.to_string()),
            q.ratio.map_or("(derived)".into(), |r| r.code())
        );
    }
    println!("\n利用者証明用電子証明書 (user authentication):");
    let info = CertInfo::parse(&issued.auth_cert).map_err(|e| CliError::failed(e.to_string()))?;
    println!("{info}");
    if let Some(sign) = &issued.sign_cert {
        println!("\n署名用電子証明書 (signing):");
        let info = CertInfo::parse(sign).map_err(|e| CliError::failed(e.to_string()))?;
        println!("{info}");
    }
    Ok(Exit::Passed)
}

fn export(
    card: &str,
    what: ExportWhat,
    out: &std::path::Path,
    world: &WorldArgs,
) -> Result<Exit, CliError> {
    let set = world.personas()?;
    let persona = world.persona(&set, card)?;
    // Images need the font (exit 2 naming its path when it is missing); certificates not.
    let face = if what.is_image() {
        world.face(true)?
    } else {
        Arc::new(FaceRenderer::builtin())
    };
    let factory =
        CardFactory::with_pki(world.seed, world.pki()?, world.key_cache()).with_face(face);
    let issued = factory
        .issue(&persona.resolve(world.as_of(), world.seed))
        .map_err(|e| CliError::failed(e.to_string()))?;
    if let Some(files) = what.images(&issued.profile) {
        return export_images(&files, what, out);
    }
    let der: Vec<u8> = match what {
        ExportWhat::AuthCert => issued.auth_cert.to_vec(),
        ExportWhat::AuthCa => factory.pki().root(CaKind::Auth).cert_der().to_vec(),
        ExportWhat::SignCert => issued.sign_cert.map(|d| d.to_vec()).ok_or_else(|| {
            CliError::input(format!(
                "{card} is a PIN-less card: it has no signing certificate"
            ))
        })?,
        _ => return Err(CliError::failed("not a certificate")),
    };
    onshi::fsutil::write_atomic(out, &der)
        .map_err(|e| CliError::failed(format!("{}: {e}", out.display())))?;
    println!("wrote {} ({} bytes)", out.display(), der.len());
    Ok(Exit::Passed)
}

/// Writes card-face files: into the directory `out` for `images`, else to the file `out`.
/// A directory or file that cannot be written is bad input (exit 2).
fn export_images(
    files: &[FaceFile],
    what: ExportWhat,
    out: &std::path::Path,
) -> Result<Exit, CliError> {
    let bad =
        |p: &std::path::Path, e: std::io::Error| CliError::input(format!("{}: {e}", p.display()));
    let targets: Vec<(PathBuf, &Arc<[u8]>)> = if matches!(what, ExportWhat::Images) {
        std::fs::create_dir_all(out).map_err(|e| bad(out, e))?;
        files.iter().map(|(n, b)| (out.join(n), b)).collect()
    } else {
        files.iter().map(|(_, b)| (out.to_path_buf(), b)).collect()
    };
    for (path, bytes) in targets {
        onshi::fsutil::write_atomic(&path, bytes).map_err(|e| bad(&path, e))?;
        println!("wrote {} ({} bytes)", path.display(), bytes.len());
    }
    Ok(Exit::Passed)
}

fn check(cards: &[String], world: &WorldArgs) -> Result<Exit, CliError> {
    let set = world.personas()?;
    let factory = world.factory()?;
    let personas: Vec<_> = if cards.is_empty() {
        set.iter().cloned().collect()
    } else {
        cards
            .iter()
            .map(|c| world.persona(&set, c))
            .collect::<Result<_, _>>()?
    };
    factory
        .prepare(personas.iter())
        .map_err(|e| CliError::failed(e.to_string()))?;
    for p in &personas {
        let r = p.resolve(world.as_of(), world.seed);
        let issued = factory
            .issue(&r)
            .map_err(|e| CliError::failed(e.to_string()))?;
        let mut ch = InProcessChannel::new(VirtualCard::new(&issued.profile));
        let report = cardcheck::run(&r.id, &mut ch, r.card.auth_pin.as_deref(), &r.card.match_b);
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    }
    Ok(Exit::Passed)
}

fn serve(args: ServeArgs) -> Result<Exit, CliError> {
    let set = args.world.personas()?;
    let factory = args.world.factory()?;
    let personas: Vec<_> = args
        .card_ids
        .iter()
        .map(|c| args.world.persona(&set, c))
        .collect::<Result<_, _>>()?;
    factory
        .prepare(personas.iter())
        .map_err(|e| CliError::failed(e.to_string()))?;
    let state = match &args.state_dir {
        Some(d) => Some(StateDir::open(d).map_err(|e| CliError::input(e.to_string()))?),
        None => None,
    };
    let mut served = Vec::new();
    for p in &personas {
        let issued = factory
            .issue(&p.resolve(args.world.as_of(), args.world.seed))
            .map_err(|e| CliError::failed(e.to_string()))?;
        let mut card = VirtualCard::new(&issued.profile);
        card.set_tracing(tracing::enabled!(tracing::Level::DEBUG));
        served.push(ServedCard {
            id: p.id.clone(),
            card,
            state: state.clone(),
            keep_trace: false,
            pull_after: None,
        });
    }
    let request = super::stop::install()?;
    let stop = StopHandle::new();
    let handles = vpcd::serve_all(served, args.vpcd, &stop);
    for (i, p) in personas.iter().enumerate() {
        let mut addr = args.vpcd;
        addr.set_port(args.vpcd.port().wrapping_add(i as u16));
        eprintln!("serving {} on vpcd {addr}", p.id);
    }
    let signal = request.wait_blocking();
    stop.stop();
    for h in handles {
        let _ = h.join();
    }
    eprintln!("onshi cards serve: stopped ({signal})");
    Ok(signal.into())
}
