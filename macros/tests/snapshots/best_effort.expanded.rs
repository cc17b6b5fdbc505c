/// The `Broken` app, declared with `supervision!`.
pub struct Broken {
    /// The service run as role `database`.
    pub database: Database,
    /// The service run as role `api`.
    pub api: Api,
}
/// The roles of [`Broken`], in declaration order.
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
pub enum BrokenRole {
    /// The `database` role.
    Database,
    /// The `api` role.
    Api,
}
impl BrokenRole {
    /// Every role of [`Broken`], in declaration order.
    pub const ALL: [BrokenRole; 2] = [BrokenRole::Database, BrokenRole::Api];
    /// The role's lease name.
    pub fn name(self) -> &'static ::core::primitive::str {
        <Self as ::supervision::__private::Role>::name(self)
    }
}
impl ::supervision::__private::Role for BrokenRole {
    fn index(self) -> ::core::primitive::usize {
        self as ::core::primitive::usize
    }
    fn name(self) -> &'static ::core::primitive::str {
        const NAMES: [&::core::primitive::str; 2] = ["database", "api"];
        NAMES[self as ::core::primitive::usize]
    }
}
impl ::supervision::__private::fmt::Display for BrokenRole {
    fn fmt(
        &self,
        f: &mut ::supervision::__private::fmt::Formatter<'_>,
    ) -> ::supervision::__private::fmt::Result {
        f.write_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl ::supervision::__private::serde::Serialize for BrokenRole {
    fn serialize<S: ::supervision::__private::serde::Serializer>(
        &self,
        serializer: S,
    ) -> ::supervision::__private::Result<S::Ok, S::Error> {
        serializer.serialize_str(<Self as ::supervision::__private::Role>::name(*self))
    }
}
impl<'de> ::supervision::__private::serde::Deserialize<'de> for BrokenRole {
    fn deserialize<D: ::supervision::__private::serde::Deserializer<'de>>(
        deserializer: D,
    ) -> ::supervision::__private::Result<Self, D::Error> {
        ::supervision::__private::deserialize_role(
            deserializer,
            <Broken as ::supervision::__private::App>::spec().roles(),
        )
    }
}
impl Broken {
    /// The order roles start in: dependencies first, earliest declared first.
    pub const START_ORDER: [BrokenRole; 2] = [BrokenRole::Database, BrokenRole::Api];
    /// The order roles stop in: the reverse of [`Self::START_ORDER`].
    pub const STOP_ORDER: [BrokenRole; 2] = [BrokenRole::Api, BrokenRole::Database];
}
impl ::supervision::__private::App for Broken {
    type Role = BrokenRole;
    fn spec() -> &'static ::supervision::__private::AppSpec<BrokenRole> {
        /// Every role's defaults: each role below writes what it changes.
        const DEFAULTS: ::supervision::__private::RoleSpec<BrokenRole> = ::supervision::__private::RoleSpec {
            role: BrokenRole::Database,
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
        static SPEC: ::supervision::__private::AppSpec<BrokenRole> = ::supervision::__private::AppSpec {
            name: "Broken",
            strategy: ::supervision::__private::Strategy::RestForOne,
            intensity: ::supervision::__private::None,
            shutdown_timeout: ::supervision::__private::Duration::from_secs(30),
            roles: &[
                ::supervision::__private::RoleSpec {
                    role: BrokenRole::Database,
                    lease: "database",
                    dependencies: &[BrokenRole::Api],
                    dependents: &[BrokenRole::Api],
                    ..DEFAULTS
                },
                ::supervision::__private::RoleSpec {
                    role: BrokenRole::Api,
                    lease: "api",
                    dependencies: &[BrokenRole::Database],
                    dependents: &[BrokenRole::Database],
                    ..DEFAULTS
                },
            ],
            all: &[BrokenRole::Database, BrokenRole::Api],
            start_order: &[BrokenRole::Database, BrokenRole::Api],
            stop_order: &[BrokenRole::Api, BrokenRole::Database],
        };
        &SPEC
    }
    fn into_services(
        self,
    ) -> ::supervision::__private::Vec<::supervision::__private::ErasedService> {
        <[::supervision::__private::ErasedService]>::into_vec(
            ::supervision::__private::Box::new([
                ::supervision::__private::service::<Database>(self.database),
                ::supervision::__private::service::<Api>(self.api),
            ]),
        )
    }
}
/// Typed keys of [`Broken`]'s roles, one per role (`broken::database`): `AppHandle::get` reads the handle a role publishes, and so does `Context::deps` for the roles that depend on it.
pub mod broken {
    #![allow(non_camel_case_types)]
    /// The key of role `database`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct database;
    /// The key of role `api`.
    #[derive(
        ::supervision::__private::Clone,
        ::supervision::__private::Copy,
        ::supervision::__private::Debug
    )]
    pub struct api;
    const _: () = {
        impl ::supervision::__private::DependencyOf<database> for api {}
    };
    const _: () = {
        impl ::supervision::__private::DependencyOf<api> for database {}
    };
}
impl ::supervision::__private::RoleKey for broken::database {
    type Role = BrokenRole;
    const ROLE: BrokenRole = BrokenRole::Database;
    const APP_ROLES: ::core::primitive::usize = 2;
}
impl ::supervision::__private::ServedBy<Database> for broken::database {}
impl ::supervision::__private::RoleKey for broken::api {
    type Role = BrokenRole;
    const ROLE: BrokenRole = BrokenRole::Api;
    const APP_ROLES: ::core::primitive::usize = 2;
}
impl ::supervision::__private::ServedBy<Api> for broken::api {}
const _: () = {
    ::core::compile_error! {
        "dependency cycle: `database -> api -> database`"
    }
    ::core::compile_error! {
        "unknown role `cach` in `depends_on`"
    }
    ::core::compile_error! {
        "unknown restart policy `permanant`, did you mean `permanent`?"
    }
    ::core::compile_error! {
        "duplicate role `database`, first declared on line 4; rename or remove one"
    }
};
