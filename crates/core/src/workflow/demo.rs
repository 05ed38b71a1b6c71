//! (filled in below)
#[cfg(test)]
mod probe {
    #[test]
    fn probe() {
        let z = crate::demo::demo_zone();
        for c in &z.chains { println!("CHAIN {} {} {} segs, first {:?}", c.code, c.name, c.segments.len(), c.segments.iter().take(4).map(|s| (&s.code, &s.name)).collect::<Vec<_>>()); }
        for p in &z.parks { println!("PARK {} {}", p.code, p.name); }
        println!("ENT {}", z.enterprises.len());
        let e = &z.enterprises[0];
        println!("{:?}", e);
    }
}
