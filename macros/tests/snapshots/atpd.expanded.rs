/// Doc comments and attributes land on the generated app struct.
pub struct Atpd {
    /// The service run as role `identity_manager`.
    pub identity_manager: IdentityManager,
    /// The service run as role `peer_directory`.
    pub peer_directory: PeerDirectory,
    /// The service run as role `transfer_supervisor`.
    pub transfer_supervisor: TransferSupervisor,
    /// The service run as role `diagnostics_endpoint`.
    pub diagnostics_endpoint: DiagnosticsEndpoint,
    /// The service run as role `cache_seeder`.
    pub cache_seeder: CacheSeeder,
}
/// The roles of [`Atpd`], in declaration order.
#[derive(
    ::supervision::__private::Clone,
    ::supervision::__private::Copy,
    ::supervision::__private::PartialEq,
    ::supervision::__private::Eq,
    ::supervision::__private::PartialOrd,
    ::supervision::__private::Ord,
    ::supervision::__private::Hash,
    ::supervision::__private::Debug,
)]
pub enum AtpdRole {
    /// The `identity_manager` role.
    IdentityManager,
    /// The `peer_directory` role.
    PeerDirectory,
    /// The `transfer_supervisor` role.
    TransferSupervisor,
    /// The `diagnostics_endpoint` role.
    DiagnosticsEndpoint,
    /// The `cache_seeder` role.
    CacheSeeder,
}
impl AtpdRole {
    /// Every role of [`Atpd`], in declaration order.
    pub const ALL: [AtpdRole; 5] = [
        AtpdRole::IdentityManager,
        AtpdRole::PeerDirectory,
        AtpdRole::TransferSupervisor,
        AtpdRole::DiagnosticsEndpoint,
        AtpdRole::CacheSeeder,
    ];
    /// The role's lease name.
    pub fn name(self) -> &'static ::core::primitive::str {
        <Self as ::supervision::__private::Role>::name(self)
    }
}
impl ::supervision::__private::Role for AtpdRole {
    fn index(self) -> ::core::primitive::usize {
        self as ::core::primitive::usize
    }
    fn name(self) -> &'static ::core::primitive::str {
        const NAMES: [&::core::primitive::str; 5] = [
            "identity_manager",
            "peer_directory",
            "transfer_supervisor",
            "diagnostics_endpoint",
            "cache_seeder",
        ];
        NAMES[self as ::core::primitive::usize]
    }
}
impl ::supervision::__private::fmt::Display for AtpdRole {
    fn fmt(
        &self,
        f: &mut ::supervision::__private::fmt::Formatter<'_>,
    ) -> ::supervision::__private::fmt::Result {
        f.write_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl ::supervision::__private::serde::Serialize for AtpdRole {
    fn serialize<S: ::supervision::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::supervision::__private::Result<S::Ok, S::Error> {
        serializer.serialize_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl<'de> ::supervision::__private::serde::Deserialize<'de> for AtpdRole {
    fn deserialize<D: ::supervision::__private::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> ::supervision::__private::Result<Self, D::Error> {
        ::supervision::__private::deserialize_role(
            deserializer,
            <Atpd as ::supervision::__private::App>::spec().roles(),
        )
    }
}
impl Atpd {
    /// The order roles start in: dependencies first, earliest declared first.
    pub const START_ORDER: [AtpdRole; 5] = [
        AtpdRole::IdentityManager,
        AtpdRole::PeerDirectory,
        AtpdRole::TransferSupervisor,
        AtpdRole::DiagnosticsEndpoint,
        AtpdRole::CacheSeeder,
    ];
    /// The order roles stop in: the reverse of [`Self::START_ORDER`].
    pub const STOP_ORDER: [AtpdRole; 5] = [
        AtpdRole::CacheSeeder,
        AtpdRole::DiagnosticsEndpoint,
        AtpdRole::TransferSupervisor,
        AtpdRole::PeerDirectory,
        AtpdRole::IdentityManager,
    ];
}
impl ::supervision::__private::App for Atpd {
    type Role = AtpdRole;
    fn spec() -> &'static ::supervision::__private::AppSpec<AtpdRole> {
        /// Every role's defaults: each role below writes what it changes.
        const DEFAULTS: ::supervision::__private::RoleSpec<AtpdRole> = ::supervision::__private::RoleSpec {
            role: AtpdRole::IdentityManager,
            lease: "",
            optional: false,
            dependencies: &[],
            dependents: &[],
            after: &[],
            followers: &[],
            restart: ::supervision::__private::RestartPolicy::DEFAULT,
            ready: ::supervision::__private::Readiness::Spawned,
            stop: ::supervision::__private::StopAction::DEFAULT,
            watchdog: ::supervision::__private::None,
        };
        static SPEC: ::supervision::__private::AppSpec<AtpdRole> = ::supervision::__private::AppSpec {
            name: "Atpd",
            strategy: ::supervision::__private::Strategy::RestForOne,
            intensity: ::supervision::__private::Some(::supervision::__private::Budget {
                max_restarts: 10,
                window: ::supervision::__private::Duration::from_secs(60),
            }),
            shutdown_timeout: ::supervision::__private::Duration::from_secs(30),
            roles: &[
                ::supervision::__private::RoleSpec {
                    role: AtpdRole::IdentityManager,
                    lease: "identity_manager",
                    dependents: &[
                        AtpdRole::PeerDirectory,
                        AtpdRole::TransferSupervisor,
                        AtpdRole::DiagnosticsEndpoint,
                    ],
                    restart: ::supervision::__private::RestartPolicy::Critical,
                    ..DEFAULTS
                },
                ::supervision::__private::RoleSpec {
                    role: AtpdRole::PeerDirectory,
                    lease: "peer_directory",
                    dependencies: &[AtpdRole::IdentityManager],
                    dependents: &[AtpdRole::TransferSupervisor],
                    restart: ::supervision::__private::RestartPolicy::Permanent {
                        budget: ::supervision::__private::Budget {
                            max_restarts: 5,
                            window: ::supervision::__private::Duration::from_secs(60),
                        },
                        backoff: ::supervision::__private::Backoff::DEFAULT,
                    },
                    ..DEFAULTS
                },
                ::supervision::__private::RoleSpec {
                    role: AtpdRole::TransferSupervisor,
                    lease: "transfer_supervisor",
                    dependencies: &[AtpdRole::IdentityManager, AtpdRole::PeerDirectory],
                    dependents: &[AtpdRole::DiagnosticsEndpoint],
                    restart: ::supervision::__private::RestartPolicy::Permanent {
                        budget: ::supervision::__private::Budget {
                            max_restarts: 3,
                            window: ::supervision::__private::Duration::from_secs(60),
                        },
                        backoff: ::supervision::__private::Backoff::Exponential {
                            min: ::supervision::__private::Duration::from_millis(100),
                            max: ::supervision::__private::Duration::from_secs(10),
                        },
                    },
                    ready: ::supervision::__private::Readiness::Signaled {
                        timeout: ::supervision::__private::Duration::from_secs(10),
                    },
                    stop: &[
                        ::supervision::__private::StopAction::Drain {
                            timeout: ::supervision::__private::Duration::from_secs(30),
                            resume_state: true,
                        },
                        ::supervision::__private::StopAction::ReleaseLease,
                        ::supervision::__private::StopAction::Stop {
                            timeout: ::supervision::__private::Duration::from_secs(5),
                        },
                    ],
                    ..DEFAULTS
                },
                ::supervision::__private::RoleSpec {
                    role: AtpdRole::DiagnosticsEndpoint,
                    lease: "diagnostics_endpoint",
                    optional: true,
                    dependencies: &[
                        AtpdRole::IdentityManager,
                        AtpdRole::TransferSupervisor,
                    ],
                    restart: ::supervision::__private::RestartPolicy::Temporary,
                    ..DEFAULTS
                },
                ::supervision::__private::RoleSpec {
                    role: AtpdRole::CacheSeeder,
                    lease: "cache_seeder",
                    ..DEFAULTS
                },
            ],
            all: &[
                AtpdRole::IdentityManager,
                AtpdRole::PeerDirectory,
                AtpdRole::TransferSupervisor,
                AtpdRole::DiagnosticsEndpoint,
                AtpdRole::CacheSeeder,
            ],
            start_order: &[
                AtpdRole::IdentityManager,
                AtpdRole::PeerDirectory,
                AtpdRole::TransferSupervisor,
                AtpdRole::DiagnosticsEndpoint,
                AtpdRole::CacheSeeder,
            ],
            stop_order: &[
                AtpdRole::CacheSeeder,
                AtpdRole::DiagnosticsEndpoint,
                AtpdRole::TransferSupervisor,
                AtpdRole::PeerDirectory,
                AtpdRole::IdentityManager,
            ],
        };
        &SPEC
    }
    fn into_services(
        self,
    ) -> ::supervision::__private::Vec<::supervision::__private::ErasedService> {
        <[::supervision::__private::ErasedService]>::into_vec(
            ::supervision::__private::Box::new([
                ::supervision::__private::service::<
                    IdentityManager,
                >(self.identity_manager),
                ::supervision::__private::service::<PeerDirectory>(self.peer_directory),
                ::supervision::__private::drain_service::<
                    TransferSupervisor,
                >(self.transfer_supervisor),
                ::supervision::__private::service::<
                    DiagnosticsEndpoint,
                >(self.diagnostics_endpoint),
                ::supervision::__private::service::<CacheSeeder>(self.cache_seeder),
            ]),
        )
    }
}
/// Typed keys of [`Atpd`]'s roles, one per role (`atpd::identity_manager`): `AppHandle::get` reads the handle a role publishes, and so does `Context::deps` for the roles that depend on it.
pub mod atpd {
    #![allow(non_camel_case_types)]
    /// The key of role `identity_manager`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct identity_manager;
    /// The key of role `peer_directory`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct peer_directory;
    /// The key of role `transfer_supervisor`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct transfer_supervisor;
    /// The key of role `diagnostics_endpoint`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct diagnostics_endpoint;
    /// The key of role `cache_seeder`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct cache_seeder;
    const _: () = {
        impl ::supervision::__private::DependencyOf<peer_directory>
        for identity_manager {}
    };
    const _: () = {
        impl ::supervision::__private::DependencyOf<transfer_supervisor>
        for identity_manager {}
        impl ::supervision::__private::DependencyOf<transfer_supervisor>
        for peer_directory {}
    };
    const _: () = {
        impl ::supervision::__private::DependencyOf<diagnostics_endpoint>
        for identity_manager {}
        impl ::supervision::__private::DependencyOf<diagnostics_endpoint>
        for transfer_supervisor {}
    };
}
impl ::supervision::__private::RoleKey for atpd::identity_manager {
    type Role = AtpdRole;
    const ROLE: AtpdRole = AtpdRole::IdentityManager;
    const APP_ROLES: ::core::primitive::usize = 5;
}
impl ::supervision::__private::ServedBy<IdentityManager> for atpd::identity_manager {}
impl ::supervision::__private::RoleKey for atpd::peer_directory {
    type Role = AtpdRole;
    const ROLE: AtpdRole = AtpdRole::PeerDirectory;
    const APP_ROLES: ::core::primitive::usize = 5;
}
impl ::supervision::__private::ServedBy<PeerDirectory> for atpd::peer_directory {}
impl ::supervision::__private::RoleKey for atpd::transfer_supervisor {
    type Role = AtpdRole;
    const ROLE: AtpdRole = AtpdRole::TransferSupervisor;
    const APP_ROLES: ::core::primitive::usize = 5;
}
impl ::supervision::__private::ServedBy<TransferSupervisor>
for atpd::transfer_supervisor {}
impl ::supervision::__private::RoleKey for atpd::diagnostics_endpoint {
    type Role = AtpdRole;
    const ROLE: AtpdRole = AtpdRole::DiagnosticsEndpoint;
    const APP_ROLES: ::core::primitive::usize = 5;
}
impl ::supervision::__private::ServedBy<DiagnosticsEndpoint>
for atpd::diagnostics_endpoint {}
impl ::supervision::__private::RoleKey for atpd::cache_seeder {
    type Role = AtpdRole;
    const ROLE: AtpdRole = AtpdRole::CacheSeeder;
    const APP_ROLES: ::core::primitive::usize = 5;
}
impl ::supervision::__private::ServedBy<CacheSeeder> for atpd::cache_seeder {}
