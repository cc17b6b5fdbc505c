//! The spec's plans, Mermaid chart and serde forms, through the macro.

use supervision::{Action, App, LifecycleEvent, LifecyclePhase, supervision};
use supervision_ui_tests::{Api, Database, Metrics, Queue};

supervision! {
    pub app Shop {
        database: Database { restart: critical },
        queue: Queue {
            depends_on: [database],
            stop: [drain(30s, resume_state), release_lease, stop(5s)],
        },
        api: Api { depends_on: [database] },
        optional metrics: Metrics { depends_on: [api], restart: temporary },
    }
}

fn main() {
    use ShopRole::*;
    let spec = Shop::spec();
    assert_eq!(spec.start_order(), &[Database, Queue, Api, Metrics]);
    assert_eq!(spec.stop_order(), &[Metrics, Api, Queue, Database]);
    let start: Vec<_> = spec.start_plan().iter().map(|e| e.role).collect();
    assert_eq!(start, [Some(Database), Some(Queue), Some(Api), Some(Metrics)]);
    let shutdown = spec.shutdown_plan();
    assert_eq!(shutdown.len(), 2 + 2 + 3 + 2 + 1);
    assert_eq!(
        shutdown[4],
        LifecycleEvent { phase: LifecyclePhase::Draining, role: Some(Queue), action: Action::Drain }
    );
    assert_eq!(
        shutdown.last(),
        Some(&LifecycleEvent { phase: LifecyclePhase::Stopped, role: None, action: Action::JoinRoot })
    );

    let chart = spec.to_mermaid();
    assert!(chart.starts_with("graph TD\n"));
    assert!(chart.contains("r0 --> r1"));
    assert!(chart.contains("class r3 optional"));

    assert_eq!(serde_json::to_string(&Queue).unwrap(), "\"queue\"");
    assert_eq!(serde_json::from_str::<ShopRole>("\"metrics\"").unwrap(), Metrics);
    let value = serde_json::Value::String("api".to_owned());
    assert_eq!(serde_json::from_value::<ShopRole>(value).unwrap(), Api);
    assert!(serde_json::from_str::<ShopRole>("\"nope\"").is_err());
    let json = serde_json::to_value(spec).unwrap();
    assert_eq!(json["name"], "Shop");
    assert_eq!(json["roles"][1]["stop"][0]["action"], "drain");
    assert_eq!(serde_json::to_value(shutdown[0]).unwrap()["phase"], "draining");
}
