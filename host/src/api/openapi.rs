//! The OpenAPI document served at `/openapi.json`.

use super::{adapters, connections, mcis, namespaces, network, placement, system, vms};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mcgw",
        description = "One REST API over many clouds. Every answer uses the common envelope: {code, status, title, data} on success; {code, status, title, message, field?, origin, csp?} on error."
    ),
    paths(
        system::health,
        adapters::list,
        adapters::get_one,
        adapters::upload_any,
        adapters::upload,
        adapters::activate,
        adapters::rollback,
        adapters::remove,
        adapters::set_limits,
        adapters::reset_limits,
        connections::create_credential,
        connections::list_credentials,
        connections::get_credential,
        connections::delete_credential,
        connections::create_connection,
        connections::list_connections,
        connections::get_connection,
        connections::delete_connection,
        connections::regions,
        connections::images,
        connections::image,
        connections::specs,
        connections::spec,
        namespaces::create,
        namespaces::list,
        namespaces::get_one,
        namespaces::delete,
        network::create_vnet,
        network::list_vnets,
        network::get_vnet,
        network::delete_vnet,
        network::add_subnet,
        network::delete_subnet,
        network::create_sg,
        network::list_sgs,
        network::get_sg,
        network::delete_sg,
        network::create_keypair,
        network::list_keypairs,
        network::get_keypair,
        network::delete_keypair,
        vms::create,
        vms::list,
        vms::get_one,
        vms::delete,
        vms::action,
        mcis::create,
        mcis::create_dynamic,
        mcis::review,
        mcis::review_dynamic,
        mcis::list,
        mcis::get_one,
        mcis::status,
        mcis::control,
        mcis::scale,
        mcis::register,
        mcis::delete,
        mcis::operations,
        mcis::operation,
        placement::meeting,
        placement::fleet,
        placement::regions,
    )
)]
struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
