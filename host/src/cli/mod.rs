//! The `mcgw` command line: `mcgw serve` runs the gateway; every other
//! subcommand is a client of its REST API (`--server`, default local).

mod adapter;
mod client;
mod conformance;
mod mcis;
mod place;
mod resources;
mod serve;
mod sim;
mod table;
mod vm;

use clap::{Parser, Subcommand};

/// mcgw: one API over many clouds.
#[derive(Debug, Parser)]
#[command(name = "mcgw", version, about, long_about = None)]
pub struct Cli {
    /// The gateway to talk to.
    #[arg(
        long,
        global = true,
        env = "MCGW_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    pub server: String,
    /// Namespace for namespaced resources.
    #[arg(long, global = true, env = "MCGW_NS", default_value = "default")]
    pub ns: String,
    /// Print the API's JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway (with the built-in simulated cloud unless --no-sim).
    Serve(serve::ServeArgs),
    /// Run the simulated cloud alone.
    Sim(sim::SimArgs),
    /// Namespaces.
    #[command(subcommand)]
    Ns(resources::NsCmd),
    /// Registered adapters.
    #[command(subcommand)]
    Adapter(adapter::AdapterCmd),
    /// Credentials (values are never shown).
    #[command(subcommand)]
    Credential(resources::CredentialCmd),
    /// Connection configs.
    #[command(subcommand)]
    Connection(resources::ConnectionCmd),
    /// Regions, images and specs through a connection.
    #[command(subcommand)]
    Catalog(resources::CatalogCmd),
    /// Virtual networks and subnets.
    #[command(subcommand)]
    Vnet(resources::VnetCmd),
    /// Security groups.
    #[command(subcommand, name = "sg")]
    SecurityGroup(resources::SgCmd),
    /// Key pairs.
    #[command(subcommand)]
    Keypair(resources::KeypairCmd),
    /// Virtual machines.
    #[command(subcommand)]
    Vm(vm::VmCmd),
    /// Multi-cloud infrastructure: many VMs over many clouds, one call.
    #[command(subcommand)]
    Mcis(mcis::McisCmd),
    /// Where to put servers for these users (latency and cost).
    #[command(subcommand)]
    Place(place::PlaceCmd),
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let api = client::Api::new(&cli.server, cli.json);
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Sim(args) => sim::run(args).await,
        Command::Ns(c) => resources::ns(&api, c).await,
        Command::Adapter(c) => adapter::run(&api, c).await,
        Command::Credential(c) => resources::credential(&api, c).await,
        Command::Connection(c) => resources::connection(&api, c).await,
        Command::Catalog(c) => resources::catalog(&api, c).await,
        Command::Vnet(c) => resources::vnet(&api, &cli.ns, c).await,
        Command::SecurityGroup(c) => resources::sg(&api, &cli.ns, c).await,
        Command::Keypair(c) => resources::keypair(&api, &cli.ns, c).await,
        Command::Vm(c) => vm::run(&api, &cli.ns, c).await,
        Command::Mcis(c) => mcis::run(&api, &cli.ns, c).await,
        Command::Place(c) => place::run(&api, c).await,
    }
}
