// yosys_design.v: a small design for the Yosys benchmark run (written for
// weft's bench suite): a multiply-accumulate unit, an ALU, a CRC-8 and a
// little state machine. WIDTH and LANES scale the work; the bench passes
// larger values for the full run than for --quick.
module mac #(parameter WIDTH = 8) (
  input clk, input rst, input en,
  input [WIDTH-1:0] a, input [WIDTH-1:0] b,
  output reg [2*WIDTH+3:0] acc
);
  always @(posedge clk)
    if (rst) acc <= 0;
    else if (en) acc <= acc + a * b;
endmodule

module alu #(parameter WIDTH = 8) (
  input [2:0] op, input [WIDTH-1:0] x, input [WIDTH-1:0] y,
  output reg [WIDTH-1:0] r, output zero
);
  always @*
    case (op)
      3'd0: r = x + y;
      3'd1: r = x - y;
      3'd2: r = x & y;
      3'd3: r = x | y;
      3'd4: r = x ^ y;
      3'd5: r = x << y[2:0];
      3'd6: r = x >> y[2:0];
      default: r = (x < y) ? 1 : 0;
    endcase
  assign zero = (r == 0);
endmodule

module crc8 (input clk, input rst, input [7:0] d, output reg [7:0] crc);
  integer i;
  reg [7:0] c;
  always @(posedge clk) begin
    c = crc ^ d;
    for (i = 0; i < 8; i = i + 1)
      c = c[7] ? (c << 1) ^ 8'h07 : (c << 1);
    crc <= rst ? 8'h00 : c;
  end
endmodule

module top #(parameter WIDTH = 8, parameter LANES = 2) (
  input clk, input rst, input [2:0] op,
  input [LANES*WIDTH-1:0] xs, input [LANES*WIDTH-1:0] ys,
  output [LANES*(2*WIDTH+4)-1:0] accs, output [LANES-1:0] zeros,
  output [7:0] crc, output reg [1:0] state
);
  wire [LANES*WIDTH-1:0] rs;
  genvar g;
  generate for (g = 0; g < LANES; g = g + 1) begin : lane
    alu #(WIDTH) u_alu (op, xs[g*WIDTH +: WIDTH], ys[g*WIDTH +: WIDTH],
                        rs[g*WIDTH +: WIDTH], zeros[g]);
    mac #(WIDTH) u_mac (clk, rst, state == 2'd1, rs[g*WIDTH +: WIDTH],
                        ys[g*WIDTH +: WIDTH], accs[g*(2*WIDTH+4) +: 2*WIDTH+4]);
  end endgenerate
  crc8 u_crc (clk, rst, rs[7:0], crc);
  always @(posedge clk)
    if (rst) state <= 0;
    else case (state)
      2'd0: state <= op[0] ? 2'd1 : 2'd0;
      2'd1: state <= zeros[0] ? 2'd2 : 2'd1;
      2'd2: state <= 2'd3;
      default: state <= 2'd0;
    endcase
endmodule
