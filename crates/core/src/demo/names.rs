//! Invented names for the demo: company brands made of two characters (with their pinyin for the English name),
//! business words that follow a firm's industry code, people's names, phone numbers, e-mail addresses and streets.
//! E-mail addresses use subdomains of `example.com`, which can never reach a real mailbox.

use super::rng::Rng;

/// Characters that brands are made of, with pinyin. Several share an initial (华 / 恒 / 鸿 / 海, 信 / 祥 / 兴 / 星),
/// so pinyin-initial search meets ambiguous brands as it would in a real zone.
#[rustfmt::skip]
pub(crate) const BRAND_CHARS: &[(char, &str)] = &[
    ('华', "hua"), ('信', "xin"), ('恒', "heng"), ('祥', "xiang"), ('鸿', "hong"), ('兴', "xing"), ('海', "hai"), ('瑞', "rui"),
    ('达', "da"), ('博', "bo"), ('创', "chuang"), ('智', "zhi"), ('科', "ke"), ('宏', "hong"), ('远', "yuan"), ('凯', "kai"),
    ('泰', "tai"), ('安', "an"), ('盛', "sheng"), ('源', "yuan"), ('嘉', "jia"), ('正', "zheng"), ('联', "lian"), ('捷', "jie"),
    ('迅', "xun"), ('卓', "zhuo"), ('越', "yue"), ('腾', "teng"), ('飞', "fei"), ('翔', "xiang"), ('汇', "hui"), ('通', "tong"),
    ('德', "de"), ('丰', "feng"), ('明', "ming"), ('辉', "hui"), ('光', "guang"), ('新', "xin"), ('众', "zhong"), ('立', "li"),
    ('天', "tian"), ('宇', "yu"), ('星', "xing"), ('云', "yun"), ('峰', "feng"), ('川', "chuan"), ('渝', "yu"), ('江', "jiang"),
    ('巴', "ba"), ('蜀', "shu"), ('金', "jin"), ('锦', "jin"), ('航', "hang"), ('力', "li"), ('威', "wei"), ('英', "ying"),
    ('睿', "rui"), ('思', "si"), ('朗', "lang"), ('晟', "sheng"), ('昊', "hao"), ('坤', "kun"), ('鼎', "ding"), ('诚', "cheng"),
    ('润', "run"), ('美', "mei"), ('和', "he"), ('顺', "shun"), ('佳', "jia"), ('优', "you"), ('途', "tu"), ('驰', "chi"),
    ('骏', "jun"), ('奥', "ao"), ('长', "chang"), ('元', "yuan"), ('启', "qi"), ('铭', "ming"), ('赛', "sai"), ('普', "pu"),
    ('帆', "fan"), ('纳', "na"), ('森', "sen"), ('弘', "hong"), ('泽', "ze"), ('宁', "ning"), ('康', "kang"), ('瀚', "han"),
    ('昌', "chang"), ('拓', "tuo"),
];

/// The pinyin of a brand character, if it is one.
#[cfg(test)]
pub(crate) fn brand_pinyin(c: char) -> Option<&'static str> {
    BRAND_CHARS.iter().find(|(b, _)| *b == c).map(|(_, p)| *p)
}

/// A two-character brand, e.g. ("华信", "Huaxin").
pub(crate) fn brand(rng: &mut Rng) -> (String, String) {
    let first = rng.below(BRAND_CHARS.len());
    let mut second = rng.below(BRAND_CHARS.len() - 1);
    if second >= first {
        second += 1;
    }
    let (a, pa) = BRAND_CHARS[first];
    let (b, pb) = BRAND_CHARS[second];
    (format!("{a}{b}"), format!("{}{pb}", capitalise(pa)))
}

pub(crate) fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

type Words = &'static [(&'static str, &'static str)];

/// Business words that a firm with this GB/T 4754 class would put in its name, Chinese and English.
pub(crate) fn business_words(industry_code: &str) -> Words {
    match industry_code {
        "3611" => &[
            ("汽车", "Automobile"),
            ("汽车制造", "Automobile Manufacturing"),
        ],
        "3612" => &[
            ("新能源汽车", "New Energy Vehicle"),
            ("电动汽车", "Electric Vehicle"),
        ],
        "3620" => &[("动力", "Power"), ("发动机", "Engine")],
        "3630" | "3660" => &[("专用汽车", "Special Vehicle"), ("车身", "Vehicle Body")],
        "3670" | "5263" => &[
            ("汽车零部件", "Auto Parts"),
            ("汽车部件", "Automotive Components"),
            ("汽车配件", "Auto Accessories"),
            ("汽车科技", "Automotive Technology"),
        ],
        "2911" => &[("轮胎", "Tyre")],
        "2929" => &[("塑胶", "Plastics"), ("塑料制品", "Plastic Products")],
        "3051" => &[("玻璃", "Glass")],
        "3042" => &[
            ("特种玻璃", "Special Glass"),
            ("光电玻璃", "Optoelectronic Glass"),
        ],
        "3841" | "3849" => &[
            ("电池", "Battery"),
            ("新能源", "New Energy"),
            ("锂电", "Lithium Battery"),
        ],
        "3091" => &[("碳素", "Carbon"), ("碳材料", "Carbon Materials")],
        "2613" => &[("锂业", "Lithium"), ("新能源材料", "New Energy Materials")],
        "3824" => &[("电力电子", "Power Electronics"), ("电子", "Electronics")],
        "3812" | "3813" => &[("电机", "Electric Motor"), ("机电", "Electromechanical")],
        "3811" | "3821" | "3823" | "3829" => {
            &[("电气", "Electric"), ("电力设备", "Power Equipment")]
        }
        "3831" => &[("线缆", "Cable"), ("电线电缆", "Wire and Cable")],
        "3832" | "3833" => &[
            ("光通信", "Optical Communication"),
            ("光纤", "Optical Fibre"),
        ],
        "4210" | "4220" => &[
            ("再生资源", "Recycling"),
            ("环保科技", "Environmental Technology"),
        ],
        "5267" => &[
            ("充电科技", "Charging Technology"),
            ("新能源服务", "New Energy Services"),
        ],
        "3451" => &[("轴承", "Bearing")],
        "3453" => &[("齿轮", "Gear"), ("传动", "Transmission")],
        "3483" => &[("弹簧", "Spring")],
        "3962" => &[
            ("车载电子", "Automotive Electronics"),
            ("智能网联", "Connected Vehicle"),
        ],
        "3973" => &[
            ("半导体", "Semiconductor"),
            ("微电子", "Microelectronics"),
            ("芯片", "Chip"),
        ],
        "3972" => &[("半导体", "Semiconductor"), ("功率器件", "Power Devices")],
        "3974" => &[
            ("光电", "Optoelectronics"),
            ("显示科技", "Display Technology"),
        ],
        "3975" | "3976" => &[("光电", "Optoelectronics"), ("光电子", "Photonics")],
        "3981" => &[
            ("电子元件", "Electronic Components"),
            ("电子", "Electronics"),
        ],
        "3982" => &[("电路", "Circuits"), ("电路板", "Circuit Board")],
        "3983" => &[("传感", "Sensing"), ("传感器", "Sensor")],
        "3984" => &[("声学", "Acoustics"), ("电声", "Electroacoustics")],
        "3985" => &[
            ("电子材料", "Electronic Materials"),
            ("电子化学", "Electronic Chemicals"),
        ],
        "3989" | "3990" => &[
            ("电子", "Electronics"),
            ("电子科技", "Electronic Technology"),
        ],
        "3940" => &[("雷达", "Radar"), ("导航", "Navigation")],
        "3911" | "3912" | "3919" => &[
            ("电脑", "Computer"),
            ("计算机", "Computer"),
            ("信息产业", "Information Industry"),
        ],
        "3913" => &[("办公设备", "Office Equipment"), ("数码", "Digital")],
        "3914" => &[("自动化", "Automation"), ("工控", "Industrial Control")],
        "3915" | "6440" => &[
            ("信息安全", "Information Security"),
            ("网络安全", "Cybersecurity"),
        ],
        "3921" => &[("通信", "Communication"), ("通信设备", "Telecom Equipment")],
        "3922" => &[
            ("通讯", "Communication"),
            ("移动通信", "Mobile Communication"),
            ("智能终端", "Smart Terminal"),
        ],
        "3961" => &[
            ("智能穿戴", "Smart Wearables"),
            ("智能科技", "Smart Technology"),
        ],
        "3963" => &[("无人机", "UAV"), ("航空科技", "Aviation Technology")],
        "3964" | "3491" | "3492" => &[
            ("机器人", "Robotics"),
            ("智能装备", "Intelligent Equipment"),
        ],
        "3969" => &[
            ("智能科技", "Smart Technology"),
            ("智能家居", "Smart Home"),
            ("虚拟现实", "Virtual Reality"),
        ],
        "3562" => &[("半导体设备", "Semiconductor Equipment")],
        "3493" | "7517" => &[
            ("增材制造", "Additive Manufacturing"),
            ("三维打印", "3D Printing"),
        ],
        "3421" | "3422" | "3425" => &[
            ("机床", "Machine Tool"),
            ("数控", "CNC"),
            ("精密机械", "Precision Machinery"),
        ],
        "3715" | "3716" | "3720" => &[("轨道交通", "Rail Transit"), ("轨道装备", "Rail Equipment")],
        "3441" => &[("泵业", "Pump")],
        "3443" => &[("阀门", "Valve")],
        "3444" | "3446" => &[("液压", "Hydraulics"), ("气动", "Pneumatics")],
        "3525" => &[("模具", "Mould")],
        "3415" => &[("风电", "Wind Power")],
        "4011" | "4014" | "4015" | "4028" => &[
            ("仪器仪表", "Instruments"),
            ("自动化", "Automation"),
            ("检测设备", "Testing Equipment"),
        ],
        "4023" => &[
            ("导航", "Navigation"),
            ("测绘仪器", "Surveying Instruments"),
        ],
        "4320" | "4330" => &[
            ("机电设备", "Mechanical and Electrical Equipment"),
            ("装备维修", "Equipment Maintenance"),
        ],
        "2761" => &[
            ("生物", "Biotech"),
            ("生物医药", "Biomedicine"),
            ("生物技术", "Biotechnology"),
        ],
        "2762" => &[("生物制品", "Biological Products"), ("疫苗", "Vaccine")],
        "2710" | "2720" => &[
            ("药业", "Pharmaceutical"),
            ("制药", "Pharmaceutical Manufacturing"),
            ("医药", "Medicine"),
        ],
        "2730" | "2740" => &[("中药", "Chinese Medicine"), ("药业", "Pharmaceutical")],
        "2770" => &[
            ("医疗用品", "Medical Supplies"),
            ("医用材料", "Medical Materials"),
        ],
        "2780" => &[
            ("药用包装", "Pharmaceutical Packaging"),
            ("药用辅料", "Pharmaceutical Excipients"),
        ],
        "3581" | "3583" | "3584" | "3585" => &[
            ("医疗器械", "Medical Devices"),
            ("医疗科技", "Medical Technology"),
        ],
        "3586" => &[("康复器械", "Rehabilitation Devices")],
        "3582" => &[("齿科", "Dental")],
        "7340" => &[
            ("医药研发", "Pharmaceutical R&D"),
            ("生物科技", "Biotechnology"),
        ],
        "7452" => &[("检测", "Testing"), ("检测技术", "Testing Technology")],
        "8491" | "8492" => &[
            ("医学检验", "Medical Laboratory"),
            ("健康管理", "Health Management"),
        ],
        "8411" | "8415" => &[
            ("医疗管理", "Healthcare Management"),
            ("专科医院", "Specialist Hospital"),
        ],
        "6432" => &[
            ("健康科技", "Health Technology"),
            ("互联网医院", "Internet Hospital"),
        ],
        "5151" | "5154" => &[
            ("医药", "Pharmaceutical Trading"),
            ("医疗器械", "Medical Devices Trading"),
        ],
        "5251" => &[("大药房", "Pharmacy")],
        "8514" => &[
            ("养老服务", "Elderly Care"),
            ("康养", "Health and Wellness"),
        ],
        "5532" => &[("港务", "Port"), ("港口", "Port Services")],
        "5521" | "5523" => &[("航运", "Shipping"), ("轮船", "Steamship")],
        "5910" => &[("装卸", "Stevedoring")],
        "5810" => &[("多式联运", "Multimodal Transport")],
        "5320" => &[
            ("铁路物流", "Rail Logistics"),
            ("国际班列", "International Rail"),
        ],
        "5612" => &[("航空物流", "Air Logistics"), ("航空货运", "Air Cargo")],
        "5631" | "5639" => &[
            ("航空服务", "Aviation Services"),
            ("机场服务", "Airport Services"),
        ],
        "5431" | "5433" => &[("物流", "Logistics"), ("运输", "Transport")],
        "5432" | "5930" => &[("冷链", "Cold Chain"), ("冷链物流", "Cold Chain Logistics")],
        "5437" => &[("配送", "Distribution"), ("城市配送", "City Distribution")],
        "6020" => &[("快递", "Express")],
        "5920" => &[("仓储", "Warehousing"), ("物流", "Logistics")],
        "5942" => &[("危险品物流", "Dangerous Goods Logistics")],
        "5821" => &[
            ("国际货运代理", "International Freight Forwarding"),
            ("货运代理", "Freight Forwarding"),
        ],
        "7224" => &[
            ("供应链管理", "Supply Chain Management"),
            ("供应链", "Supply Chain"),
        ],
        "5181" | "5199" => &[
            ("国际贸易", "International Trade"),
            ("进出口", "Import and Export"),
            ("贸易", "Trading"),
        ],
        "5193" | "5292" => &[
            ("跨境电商", "Cross-border E-commerce"),
            ("电子商务", "E-commerce"),
        ],
        "5261" | "5172" => &[
            ("汽车销售", "Automobile Sales"),
            ("汽车贸易", "Automobile Trading"),
        ],
        "8111" => &[
            ("汽车服务", "Automobile Services"),
            ("汽车维修", "Auto Repair"),
        ],
        "5176" | "5177" | "5179" => &[
            ("数码", "Digital"),
            ("电子", "Electronics"),
            ("科技", "Technology"),
        ],
        "6511" | "6512" | "6513" | "6519" => &[
            ("软件", "Software"),
            ("信息技术", "Information Technology"),
            ("网络科技", "Network Technology"),
            ("数字科技", "Digital Technology"),
            ("智能科技", "Intelligent Technology"),
        ],
        "6520" => &[
            ("集成电路", "Integrated Circuit"),
            ("微电子", "Microelectronics"),
            ("芯片", "Chip"),
        ],
        "6531" => &[
            ("信息系统", "Information Systems"),
            ("系统集成", "Systems Integration"),
            ("信息技术", "Information Technology"),
        ],
        "6532" => &[
            ("物联网", "Internet of Things"),
            ("物联科技", "IoT Technology"),
        ],
        "6540" => &[
            ("信息技术服务", "IT Services"),
            ("网络技术", "Network Technology"),
        ],
        "6550" => &[
            ("数据", "Data"),
            ("云计算", "Cloud Computing"),
            ("云科技", "Cloud Technology"),
        ],
        "6560" => &[
            ("信息咨询", "Information Consulting"),
            ("数字咨询", "Digital Consulting"),
        ],
        "6591" => &[
            ("呼叫中心", "Call Centre"),
            ("信息服务", "Information Services"),
        ],
        "6450" | "6599" => &[
            ("大数据", "Big Data"),
            ("数据科技", "Data Technology"),
            ("数据服务", "Data Services"),
        ],
        "6410" => &[("网络", "Network"), ("云计算", "Cloud Computing")],
        "6431" | "6490" => &[
            ("互联网", "Internet"),
            ("网络科技", "Network Technology"),
            ("工业互联网", "Industrial Internet"),
        ],
        "6422" => &[
            ("网络游戏", "Online Games"),
            ("互动娱乐", "Interactive Entertainment"),
        ],
        "6572" => &[
            ("动漫", "Animation"),
            ("游戏", "Games"),
            ("互动娱乐", "Interactive Entertainment"),
        ],
        "6429" => &[
            ("网络科技", "Network Technology"),
            ("文化传媒", "Culture and Media"),
        ],
        "6579" => &[
            ("数字科技", "Digital Technology"),
            ("数字文化", "Digital Culture"),
            ("数字创意", "Digital Creative"),
        ],
        "6311" | "6312" | "6319" => &[
            ("通信", "Communications"),
            ("电信", "Telecom"),
            ("信息服务", "Information Services"),
        ],
        "6339" => &[
            ("卫星", "Satellite"),
            ("卫星应用", "Satellite Applications"),
        ],
        "6571" | "7441" => &[
            ("遥感", "Remote Sensing"),
            ("地理信息", "Geographic Information"),
        ],
        "7213" => &[
            ("数据交易", "Data Exchange"),
            ("产权交易", "Property Rights Exchange"),
        ],
        "8626" => &[
            ("数字出版", "Digital Publishing"),
            ("数字传媒", "Digital Media"),
        ],
        "8730" => &[
            ("影视", "Film and Television"),
            ("影视传媒", "Film and Media"),
        ],
        "8890" => &[("电竞", "E-sports"), ("文化", "Culture")],
        "7491" | "7492" => &[
            ("设计", "Design"),
            ("工业设计", "Industrial Design"),
            ("创意设计", "Creative Design"),
        ],
        "7251" => &[
            ("广告", "Advertising"),
            ("传媒", "Media"),
            ("数字营销", "Digital Marketing"),
        ],
        "7281" | "7289" => &[
            ("会展", "Exhibition"),
            ("会议展览", "Conventions and Exhibitions"),
        ],
        "3741" | "3742" | "3743" | "3744" => &[
            ("航空", "Aviation"),
            ("航空科技", "Aviation Technology"),
            ("航天", "Aerospace"),
        ],
        "3392" => &[("精密铸造", "Precision Casting")],
        "5621" | "5622" => &[
            ("通用航空", "General Aviation"),
            ("航空服务", "Aviation Services"),
        ],
        "8391" => &[("飞行培训", "Flight Training")],
        "4343" => &[
            ("航空维修", "Aircraft Maintenance"),
            ("航空工程", "Aviation Engineering"),
        ],
        "3252" | "3216" => &[("铝业", "Aluminium"), ("铝材", "Aluminium Products")],
        "3217" | "3240" | "3254" => &[
            ("镁业", "Magnesium"),
            ("合金", "Alloys"),
            ("稀有金属", "Rare Metals"),
        ],
        "3130" => &[("特钢", "Special Steel"), ("钢材", "Steel")],
        "2651" | "2659" => &[("新材料", "New Materials"), ("高分子", "Polymer")],
        "2652" => &[("橡胶", "Rubber")],
        "2921" => &[("薄膜", "Film"), ("膜材料", "Membrane Materials")],
        "2826" | "2829" => &[("纤维", "Fibre"), ("新材料", "New Materials")],
        "3061" | "3062" => &[("复合材料", "Composites"), ("玻纤", "Glass Fibre")],
        "2662" | "2619" => &[("电子化学", "Electronic Chemicals"), ("气体", "Gases")],
        "3073" => &[("陶瓷", "Ceramics"), ("精密陶瓷", "Advanced Ceramics")],
        "2641" | "2661" => &[("涂料", "Coatings"), ("化工", "Chemical")],
        "3024" | "3034" => &[
            ("建材", "Building Materials"),
            ("绿色建材", "Green Building Materials"),
        ],
        "6621" => &[("银行", "Bank")],
        "6636" => &[("消费金融", "Consumer Finance")],
        "6631" => &[("融资租赁", "Financial Leasing")],
        "6639" => &[
            ("商业保理", "Commercial Factoring"),
            ("供应链金融", "Supply Chain Finance"),
        ],
        "6635" => &[("小额贷款", "Microcredit")],
        "6731" => &[("创业投资", "Venture Capital")],
        "6732" => &[("天使投资", "Angel Investment")],
        "6739" => &[
            ("股权投资基金管理", "Equity Fund Management"),
            ("私募股权投资", "Private Equity"),
        ],
        "6820" => &[("财产保险", "Property Insurance")],
        "6811" => &[("人寿保险", "Life Insurance")],
        "6851" => &[("保险经纪", "Insurance Brokerage")],
        "6930" => &[("支付", "Payment")],
        "6940" => &[("金融信息服务", "Financial Information Services")],
        "6999" => &[("融资担保", "Financing Guarantee")],
        "7231" => &[("法律咨询", "Legal Consulting")],
        "7241" => &[("财税咨询", "Tax and Accounting Consulting")],
        "7243" => &[("企业管理咨询", "Management Consulting")],
        "7211" => &[
            ("企业管理", "Enterprise Management"),
            ("实业", "Industrial Holdings"),
        ],
        "7310" | "7320" => &[
            ("科技研究院", "Research Institute"),
            ("技术研究院", "Technology Research Institute"),
        ],
        "7519" => &[("技术服务", "Technical Services")],
        "7520" => &[("知识产权", "Intellectual Property")],
        "7530" => &[
            ("技术转移", "Technology Transfer"),
            ("科技服务", "S&T Services"),
        ],
        "7540" | "7221" => &[
            ("孵化器", "Incubator"),
            ("创业服务", "Entrepreneurship Services"),
            ("园区运营", "Park Operation"),
        ],
        "7455" => &[("认证", "Certification")],
        "7453" => &[("计量", "Metrology")],
        "7484" => &[("工程设计", "Engineering Design")],
        "7512" => &[("生物技术", "Biotechnology")],
        "7513" => &[("新材料科技", "New Materials Technology")],
        "7514" | "7515" => &[
            ("节能科技", "Energy Saving Technology"),
            ("新能源科技", "New Energy Technology"),
        ],
        _ => &[("科技", "Technology")],
    }
}

/// The legal form at the end of a company name, Chinese and English.
pub(crate) fn legal_form(joint_stock: bool) -> (&'static str, &'static str) {
    if joint_stock {
        ("股份有限公司", "Co., Ltd.")
    } else {
        ("有限公司", "Co., Ltd.")
    }
}

#[rustfmt::skip]
const SURNAMES: &[(&str, &str)] = &[
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"),
    ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"),
    ("何", "he"), ("罗", "luo"), ("谭", "tan"), ("冉", "ran"), ("向", "xiang"), ("唐", "tang"), ("邓", "deng"), ("蒋", "jiang"),
    ("曾", "zeng"), ("彭", "peng"), ("袁", "yuan"), ("秦", "qin"), ("雷", "lei"), ("熊", "xiong"),
];

#[rustfmt::skip]
const GIVEN: &[(&str, &str)] = &[
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"),
    ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂", "gui"), ("建", "jian"), ("国", "guo"), ("红", "hong"), ("晓", "xiao"),
    ("文", "wen"), ("华", "hua"), ("玲", "ling"), ("峰", "feng"), ("宇", "yu"), ("欣", "xin"), ("婷", "ting"), ("浩", "hao"),
    ("鹏", "peng"), ("琳", "lin"), ("俊", "jun"), ("佳", "jia"),
];

/// A person's name: Chinese, and pinyin for an e-mail address (e.g. "王晓峰", "wangxiaofeng").
pub(crate) fn person_name(rng: &mut Rng) -> (String, String) {
    let (surname, sp) = *rng.pick(SURNAMES);
    let (g1, p1) = *rng.pick(GIVEN);
    if rng.chance(300) {
        return (format!("{surname}{g1}"), format!("{sp}{p1}"));
    }
    // A repeated character (王建建) is rare in real names, so the second is drawn from the others.
    let (g2, p2) = loop {
        let candidate = *rng.pick(GIVEN);
        if candidate.0 != g1 {
            break candidate;
        }
    };
    (format!("{surname}{g1}{g2}"), format!("{sp}{p1}{p2}"))
}

const MOBILE_PREFIXES: &[u32] = &[
    133, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159, 177, 180, 181, 182, 183, 186, 187, 188,
    189, 191, 199,
];

/// A mobile number written 1xx-xxxx-xxxx.
pub(crate) fn mobile(rng: &mut Rng) -> String {
    let prefix = rng.pick(MOBILE_PREFIXES);
    format!("{prefix}-{:04}-{:04}", rng.below(10_000), rng.below(10_000))
}

/// A Chongqing landline (area code 023, eight digits).
pub(crate) fn landline(rng: &mut Rng) -> String {
    format!("023-6{:07}", rng.below(10_000_000))
}

/// Street names near the parks and in each Liangjiang district, for addresses.
pub(crate) fn district_name(district: &str) -> &'static str {
    match district {
        "500105" => "江北区",
        "500109" => "北碚区",
        _ => "渝北区",
    }
}

pub(crate) fn streets_outside_parks(district: &str) -> &'static [&'static str] {
    match district {
        "500105" => &["建新北路", "洋河一路", "港城东路", "鱼嘴大道"],
        "500109" => &["云汉大道", "蔡家大道", "同兴北路", "嘉陵路"],
        _ => &["金开大道", "黄山大道", "星光大道", "新南路", "龙溪路"],
    }
}

/// A street address: "重庆市渝北区金开大道1388号", with a building and floor for office firms.
pub(crate) fn address(rng: &mut Rng, district: &str, streets: &[&str], office: bool) -> String {
    let street = rng.pick(streets);
    let number = rng.between(1, 1999);
    let mut text = format!("重庆市{}{street}{number}号", district_name(district));
    if office {
        text.push_str(&format!("{}栋{}楼", rng.between(1, 12), rng.between(2, 28)));
    }
    text
}
