//! On a Windows target only: the program's icon and its file properties (product name,
//! description, version), so Explorer and "Apps & features" show what anchi is. Cross-built
//! on Linux with mingw-w64's windres (packaging/windows/build.sh).

fn main() {
    println!("cargo:rerun-if-changed=packaging/windows/anchi.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("packaging/windows/anchi.ico")
        .set("ProductName", "Ấn chỉ điện tử (anchi)")
        .set("FileDescription", "Ấn chỉ điện tử — hồ sơ vụ việc của Đội Quản lý thị trường")
        .set("CompanyName", "anchi")
        .set("OriginalFilename", "anchi.exe")
        .set_language(0x042a); // Vietnamese
    if let Err(e) = resource.compile() {
        panic!("the Windows resources (icon, file properties) could not be compiled: {e}");
    }
}
