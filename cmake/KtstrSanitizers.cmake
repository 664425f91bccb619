# ASan + UBSan for the whole build when KTSTR_SANITIZE is ON. Guest programs
# opt out (they are static and run as PID 1 in the VM).
if(KTSTR_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
