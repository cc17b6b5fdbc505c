//! The trait the generated app struct implements.

use crate::erased::ErasedService;
use crate::role::Role;
use crate::spec::AppSpec;

/// An app declared with `supervision!`: its spec, and its services to run.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a supervision app",
    note = "apps are declared with `supervision::supervision! {{ app {Self} {{ .. }} }}`"
)]
pub trait App: Sized + Send + 'static {
    /// The generated `<App>Role` enum.
    type Role: Role;

    /// The validated topology, computed at compile time.
    fn spec() -> &'static AppSpec<Self::Role>;

    /// The services, one per role in declaration order.
    #[doc(hidden)]
    fn into_services(self) -> Vec<ErasedService>;
}
